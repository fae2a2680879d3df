import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { problem } from '../inspect/problems.ts';
import { emptyCounts, usersProblems } from './report.ts';
import { accountVerdict } from './verdict.ts';

const stats = { roomsReturned: 0, encryptedRooms: 0, directPartners: 0, typed: 0, roomsFailed: 0, keysQueryRequests: 1, truncated: 0 };

describe('accountVerdict', () => {
  it('a healthy account with no verified users stays healthy, read or not', () => {
    const healthy = { healthy: true, problems: [] };
    assert.deepEqual(accountVerdict(healthy, null), { healthy: true, problems: [] });
    assert.deepEqual(accountVerdict(healthy, { problems: usersProblems(emptyCounts(), stats) }), { healthy: true, problems: [] });
    const notVerifiedByMe = { ...emptyCounts(), 'not-verified': 12, 'no-identity': 3 };
    assert.equal(accountVerdict(healthy, { problems: usersProblems(notVerifiedByMe, stats) }).healthy, true);
  });

  it('people verified only by my replaced user-signing key count in the verdict, after the account problems, with their repair', () => {
    const counts = { ...emptyCounts(), 'verified-by-replaced-key': 2 };
    const users = { problems: usersProblems(counts, stats) };
    const verdict = accountVerdict({ healthy: true, problems: [] }, users);
    assert.equal(verdict.healthy, false);
    assert.deepEqual(verdict.problems, [{
      code: 'users-verified-by-replaced-key', repair: 'reverify-users', count: 2,
      message: '2 people you verified are no longer verified because your user-signing key was replaced.',
    }]);
    const device = problem('device-not-cross-signed', 'Device D is not cross-signed', { subject: 'D' });
    const both = accountVerdict({ healthy: false, problems: [device] }, users);
    assert.deepEqual(both.problems.map((p) => p.code), ['device-not-cross-signed', 'users-verified-by-replaced-key']);
  });

  it('identity-changed counts too', () => {
    const verdict = accountVerdict({ healthy: true, problems: [] }, { problems: usersProblems({ ...emptyCounts(), 'identity-changed': 1 }, stats) });
    assert.equal(verdict.healthy, false);
    assert.equal(verdict.problems[0]!.code, 'users-identity-changed');
  });
});
