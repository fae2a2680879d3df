import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { problem, PROBLEM_CODES, repairForRole } from './problems.ts';
import { isRepairKind } from '../repair/repair-kinds.ts';

const source = readFileSync(new URL('./problems.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
/** The doc table's rows: code → its "usual repair" column. */
const docRows = [...source.matchAll(/^ \* \| ([a-z-]+) \| .*? \| (.*) \|$/gm)].filter((m) => m[1] !== 'code').map((m) => [m[1]!, m[2]!] as const);
/** Words in a repair column that look like a repair's name (kebab-case with a verb), e.g. `reset-backup`. */
const repairWords = (text: string): string[] => [...text.matchAll(/\b(?:reset|regenerate|sign|store|resign|upload|manual|create|rotate|set)-[a-z-]+\b/g)].map((m) => m[0]);

it('the doc table lists exactly the codes of PROBLEM_CODES, in the same order', () => {
  assert.deepEqual(docRows.map(([code]) => code), Object.keys(PROBLEM_CODES));
});

it('the doc table and the README name only repairs that exist, and each code\'s usual repair first', () => {
  for (const [code, column] of docRows) {
    for (const word of repairWords(column)) assert.ok(isRepairKind(word), `problems.ts: ${code} names ${word}, which is no repair kind`);
    const usual = PROBLEM_CODES[code as keyof typeof PROBLEM_CODES].repair;
    if (usual !== undefined) assert.equal(repairWords(column)[0], usual, `${code}: the doc table's first repair is not the table's`);
  }
  const readmeRows = [...readme.matchAll(/^\| `([a-z-]+)`.*\| (.*) \|$/gm)].filter((m) => Object.prototype.hasOwnProperty.call(PROBLEM_CODES, m[1]!));
  assert.ok(readmeRows.length >= 20, 'the README problem table is found');
  for (const [, code, column] of readmeRows) {
    for (const word of [...column!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!)) assert.ok(isRepairKind(word), `README: ${code} names ${word}, which is no repair kind`);
  }
  // The guard fires on a repair nothing builds.
  assert.ok(!isRepairKind(repairWords('`rebuild-everything`')[0]));
});

it('codes are kebab-case; a problem carries its code\'s repair unless told otherwise', () => {
  for (const code of Object.keys(PROBLEM_CODES)) assert.match(code, /^[a-z]+(-[a-z]+)*$/);
  assert.equal(problem('device-not-cross-signed', 'x').repair, 'sign-devices');
  assert.equal(problem('backup-key-missing', 'x').repair, 'reset-backup');
  assert.equal(problem('server-read-failed', 'x').repair, undefined);
  assert.deepEqual(problem('device-not-cross-signed', 'x', { subject: 'D', repair: null }), { code: 'device-not-cross-signed', message: 'x', subject: 'D' });
  assert.equal(repairForRole('m.megolm_backup.v1'), 'reset-backup', 'a lost backup key means a new backup');
  assert.equal(repairForRole('m.cross_signing.master'), 'reset-cross-signing');
  assert.equal(repairForRole('m.cross_signing.self_signing'), 'regenerate-subkeys');
});
