import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64 } from '../base64.ts';
import { nobleEd25519 as ed } from '../ed25519.ts';
import { parseKeysQueryResponse } from '../matrix/parse-keys-query.ts';
import { signJson } from '../signing.ts';
import { buildUsersReport, usersProblems, emptyCounts } from './report.ts';

const ME = '@me:x';
const seed = (n: number) => new Uint8Array(32).fill(n);
const pub = async (n: number) => encodeBase64(await ed.publicKey(seed(n)));
const stats = { roomsReturned: 0, encryptedRooms: 0, directPartners: 0, typed: 0, roomsFailed: 0, keysQueryRequests: 1, truncated: 0 };
const master = async (userId: string, n: number) => ({ user_id: userId, usage: ['master'], keys: { [`ed25519:${await pub(n)}`]: await pub(n) } });

describe('buildUsersReport', () => {
  it('classifies from a hostile keys/query: malformed master, failed server, unasked users ignored', async () => {
    const signedByOld = await signJson(await master('@gina:x', 20), { entity: ME, keyId: `ed25519:${await pub(4)}`, seed: seed(4) }, ed);
    const parsed = parseKeysQueryResponse({
      master_keys: { '@gina:x': signedByOld, '@bad:x': { usage: 7 }, '@stranger:y': await master('@stranger:y', 21) },
      failures: { 'down.example': {} },
    });
    assert.ok(parsed.ok);
    const candidates = new Map([['@gina:x', ['typed' as const]], ['@bad:x', ['typed' as const]], ['@far:down.example', ['direct' as const]], ['@none:x', ['typed' as const]]]);
    const report = await buildUsersReport({
      me: { userId: ME, keys: { masterKey: await pub(1), selfSigningKey: await pub(2), userSigningKey: await pub(3) } },
      candidates, keysQuery: [parsed.value], stats, ed,
    });
    assert.deepEqual(Object.fromEntries(report.users.map((u) => [u.userId, u.state])), {
      '@gina:x': 'verified-by-replaced-key', '@bad:x': 'not-verified', '@far:down.example': 'not-verified', '@none:x': 'no-identity',
    });
    assert.equal(report.users.length, 4, 'a user nobody asked about is not listed');
    assert.deepEqual(report.problems.map((p) => [p.code, p.repair, p.count]), [['users-verified-by-replaced-key', 'reverify-users', 1]]);
  });

  it('no problem for an account with no verified users; incomplete discovery is said', () => {
    assert.deepEqual(usersProblems(emptyCounts(), stats), []);
    const counts = { ...emptyCounts(), 'not-verified': 4 };
    assert.deepEqual(usersProblems(counts, stats), []);
    const partial = usersProblems(emptyCounts(), { ...stats, roomsFailed: 2 });
    assert.deepEqual(partial.map((p) => [p.code, p.count]), [['users-partial', 2]]);
    const many = usersProblems({ ...emptyCounts(), 'verified-by-replaced-key': 3 }, stats);
    assert.equal(many[0]!.message, '3 people you verified are no longer verified because your user-signing key was replaced.');
  });
});
