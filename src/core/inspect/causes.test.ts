import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CAUSE_OF_CODE, causeOf, groupCauses, rankOf, REPAIR_RANK } from './causes.ts';
import { problem, PROBLEM_CODES, type ProblemCode } from './problems.ts';
import { REPAIR_KINDS } from '../repair/repair-kinds.ts';

it('every problem code maps to a cause, and only problem codes do', () => {
  assert.deepEqual(Object.keys(CAUSE_OF_CODE).sort(), Object.keys(PROBLEM_CODES).sort());
  for (const code of Object.keys(PROBLEM_CODES) as ProblemCode[]) {
    const [cause] = groupCauses([problem(code, 'x', { subject: 's' })]);
    assert.equal(cause!.id, causeOf({ code }));
    assert.ok(cause!.headline.length > 10, `${code}: a headline in words`);
    // A cause's repair is one its problems name: never a repair nothing offered.
    assert.equal(cause!.repair, PROBLEM_CODES[code].repair, code);
  }
});

it('ranks only repair kinds that exist; the order is the composed plan\'s', () => {
  for (const kind of Object.keys(REPAIR_RANK)) assert.ok((REPAIR_KINDS as readonly string[]).includes(kind), kind);
  assert.ok(rankOf('store-secrets')! < rankOf('reset-cross-signing')!);
  assert.ok(rankOf('reset-cross-signing')! < rankOf('regenerate-subkeys')!);
  assert.ok(rankOf('regenerate-subkeys')! < rankOf('sign-devices')!);
  assert.ok(rankOf('sign-devices')! < rankOf('resign-backup')!);
  assert.equal(rankOf('manual-upload'), undefined);
  assert.equal(rankOf('verify-user'), undefined);
});

it('119 sessions with the old signature are one cause with 119 subjects, not 119 rows', () => {
  const ids = Array.from({ length: 119 }, (_, i) => `DEV${i}`);
  const problems = [
    ...ids.map((id) => problem('device-signed-by-old-key', `Device ${id} …`, { subject: id })),
    problem('backup-not-signed-by-master', 'backup …', { subject: 'backup' }),
    problem('device-self-signature-invalid', 'bad', { subject: 'EVIL' }),
  ];
  const causes = groupCauses(problems);
  assert.deepEqual(causes.map((c) => c.id), ['sessions-old-signature', 'sessions-untrustworthy', 'backup-untrusted']);
  const [old] = causes;
  assert.equal(old!.count, 119);
  assert.deepEqual(old!.subjects, ids);
  assert.equal(old!.repair, 'sign-devices');
  assert.equal(old!.headline, 'Your cross-signing keys were replaced; 119 sessions still carry the old signature');
  assert.equal(causes[1]!.repair, PROBLEM_CODES['device-self-signature-invalid'].repair, 'whatever repair the table names (none, or signing the session out)');
  assert.equal(groupCauses([problem('device-signed-by-old-key', 'x', { subject: 'A' })])[0]!.headline,
    'Your cross-signing keys were replaced; 1 session still carries the old signature');
});

it('root causes come first, and a cause names the lowest-ranked repair its problems name', () => {
  const causes = groupCauses([
    problem('device-not-cross-signed', 'x', { subject: 'B' }),
    problem('secret-missing', 'x', { subject: 'm.cross_signing.self_signing', repair: 'regenerate-subkeys' }),
    problem('secret-missing', 'x', { subject: 'm.cross_signing.master', repair: 'reset-cross-signing' }),
    problem('no-cross-signing', 'x'),
  ]);
  assert.deepEqual(causes.map((c) => c.id), ['no-identity', 'secrets-lost', 'sessions-unsigned']);
  assert.equal(causes[1]!.repair, 'reset-cross-signing', 'a reset covers the lost subkeys too');
  assert.deepEqual(causes[1]!.subjects, ['m.cross_signing.self_signing', 'm.cross_signing.master']);
  assert.deepEqual(groupCauses([]), []);
});

it('a verdict\'s users problems are one cause of their own; an unknown code is read as a partial report', () => {
  const causes = groupCauses([
    { code: 'users-verified-by-replaced-key', message: '2 people you verified are no longer verified', repair: 'reverify-users' },
    problem('device-not-cross-signed', 'x', { subject: 'B' }),
    { code: 'something-new', message: 'x' },
  ]);
  assert.deepEqual(causes.map((c) => [c.id, c.repair]), [['sessions-unsigned', 'sign-devices'], ['partial-read', undefined], ['people-verified', 'reverify-users']]);
  assert.equal(causes[2]!.headline, '2 people you verified are no longer verified');
  assert.equal(causeOf({ code: 'users-partial' }), 'people-verified');
});
