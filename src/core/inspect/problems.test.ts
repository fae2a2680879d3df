import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { problem, PROBLEM_CODES } from './problems.ts';

const source = readFileSync(new URL('./problems.ts', import.meta.url), 'utf8');

it('the doc table lists exactly the codes of PROBLEM_CODES, in the same order', () => {
  const documented = [...source.matchAll(/^ \* \| ([a-z-]+) \|/gm)].map((m) => m[1]).filter((c) => c !== 'code');
  assert.deepEqual(documented, Object.keys(PROBLEM_CODES));
});

it('codes are kebab-case and every problem built from one carries its usual repair', () => {
  for (const [code, info] of Object.entries(PROBLEM_CODES)) {
    assert.match(code, /^[a-z]+(-[a-z]+)*$/);
    assert.equal(problem(code as keyof typeof PROBLEM_CODES, 'm').repair, info.repair);
  }
  assert.deepEqual(problem('device-not-cross-signed', 'x', { subject: 'D', repair: null }), { code: 'device-not-cross-signed', message: 'x', subject: 'D' });
});
