// The popup's words for the core's sentences: in English they are exactly what the core says (so
// the CLI and the popup never drift apart), in German they are German.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installMessages } from './i18n-testing.ts';
import { CAUSE_OF_CODE, groupCauses } from '../core/inspect/causes.ts';
import type { ProblemCode } from '../core/inspect/problems.ts';
import { describeVerdict, type HomeserverVerdict } from '../core/matrix/discovery.ts';
import { usersProblems } from '../core/users/report.ts';
import type { VerdictProblem } from '../core/users/verdict.ts';
import { causeHeadline, homeserverVerdictText, problemText } from './core-words.ts';

const CODES = Object.keys(CAUSE_OF_CODE) as ProblemCode[];

/** Every problem code, once with one subject and once with three, plus the users report's. */
function verdicts(): VerdictProblem[][] {
  const out: VerdictProblem[][] = [];
  for (const code of CODES) {
    for (const n of [1, 2, 3]) {
      out.push(Array.from({ length: n }, (_, i) => ({ code, message: `${code} ${i}`, subject: `S${i}` })));
    }
    out.push([{ code, message: code, repair: 'upload-keys' }]);
  }
  for (const [replaced, changed] of [[1, 0], [0, 1], [2, 3], [1, 1]] as const) {
    const counts = { verified: 0, 'verified-by-replaced-key': replaced, 'identity-changed': changed, 'not-verified': 0, 'no-identity': 0 };
    const stats = { roomsReturned: 0, encryptedRooms: 0, directPartners: 0, typed: 0, roomsFailed: 0, truncated: 0 };
    out.push(usersProblems(counts, stats as never).map((p) => ({ code: p.code, message: p.message, ...(p.count === undefined ? {} : { count: p.count }) })));
  }
  return out;
}

const HOMESERVER_VERDICTS: HomeserverVerdict[] = [
  { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', insecure: false },
  { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', insecure: true },
  { verdict: 'mismatch', serverNameHost: 'example.org', baseUrlHost: 'evil.test', discoveredHost: 'matrix.example.org', insecure: false },
  { verdict: 'mismatch', serverNameHost: 'example.org', baseUrlHost: 'evil.test', discoveredHost: 'matrix.example.org', insecure: true },
  { verdict: 'unverifiable', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', reason: 'the well-known file could not be read', insecure: true },
];

test('in English, every cause headline, users problem and homeserver verdict is the core\'s own sentence', () => {
  installMessages('en');
  let causes = 0;
  for (const problems of verdicts()) {
    for (const c of groupCauses(problems)) {
      assert.equal(causeHeadline(c, problems), c.headline, `${c.id} × ${c.count}`);
      causes++;
    }
    for (const p of problems) assert.equal(problemText(p), p.message);
  }
  assert.ok(causes > CODES.length * 3);
  for (const v of HOMESERVER_VERDICTS) assert.equal(homeserverVerdictText(v), describeVerdict(v));
});

test('in German, none of them is English, and the data is kept', () => {
  installMessages('de');
  for (const problems of verdicts()) {
    for (const c of groupCauses(problems)) {
      const text = causeHeadline(c, problems);
      assert.notEqual(text, c.headline, `${c.id} × ${c.count}`);
      if (c.id === 'secrets-lost') assert.ok(text.includes(c.subjects.join(', ')));
    }
  }
  for (const v of HOMESERVER_VERDICTS) {
    const text = homeserverVerdictText(v);
    assert.notEqual(text, describeVerdict(v));
    assert.ok(text.includes(v.baseUrlHost) && text.includes(v.serverNameHost));
  }
  assert.match(problemText({ code: 'users-verified-by-replaced-key', message: 'x', count: 2 }), /^2 Personen/);
  installMessages('en');
});
