// No sentence a person reads is written out in the core or the background: each is `say(id, …)`
// from CORE_MESSAGES (say.ts), so the popup can say it again in the UI language
// (docs/design.md#translations). This scan of the syntax trees fails on a string or template
// literal that reads as a sentence (two words of letters with a space between) in the scanned
// folders, unless it is a programmer error (`new TypeError` / `new RangeError`, docs/design.md#errors:
// never shown as a verdict) or in ALLOWED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, SourceFile } from 'typescript/unstable/ast';
import { isIdentifier, isNewExpression, isNoSubstitutionTemplateLiteral, isStringLiteral, isTemplateExpression } from 'typescript/unstable/ast/is';
import { filesUnder, lineOf, parseSources } from '../../popup/i18n-testing.ts';

const SRC = new URL('../../', import.meta.url).pathname;

/**
 * The folders whose sentences reach a person through the popup. Not src/readers/page: the code
 * injected into the web app's page stays small and self-contained; what it reports is turned
 * into the popup's words by src/readers/parse (scanned).
 */
export const SCANNED = ['core', 'background', 'readers/parse'];

/** Literals that read like words but are not sentences to translate; each says why. */
const ALLOWED = new Set<string>([
  // src/core/repair/keys.ts: the name of an argument in checkSeed's TypeError/RangeError (a programmer error).
  'master seed',
  // HTTP reason phrases (RFC 9110, src/core/matrix/response-errors.ts): protocol names shown as
  // `502 Bad Gateway`, kept as they are like errcodes.
  'Bad Request', 'Not Found', 'Method Not Allowed', 'Request Timeout', 'Payload Too Large', 'Too Many Requests',
  'Internal Server Error', 'Not Implemented', 'Bad Gateway', 'Service Unavailable', 'Gateway Timeout',
  // src/core/base64.ts: bundled into the injected page reader (src/readers/page/element-token.ts),
  // which must not carry the catalogue; no caller shows a Base64Error's message (each catches it
  // and says its own sentence, or only checks `ok`).
  'Invalid base64: unexpected character',
  'Invalid base64: impossible length',
  'Invalid base64: bad padding',
  'Invalid base64:  … ',
  'Invalid base64: expected a string',
  // src/core/roles.ts: each role's label, data inside said sentences (a $n). roles.ts is in the
  // popup's first load, which must not carry the catalogue, and roles.test.ts allows no second copy
  // of a label, so the labels are not catalogue messages of their own.
  'master key',
  'self-signing key',
  'user-signing key',
]);

const PROGRAMMER_ERRORS = new Set(['TypeError', 'RangeError']);

/** Two words of letters with whitespace between: a sentence, not an ID, path or code. */
const looksLikeWords = (text: string) => /\p{L}{2,}[^\s]*\s+[^\s]*\p{L}{2,}/u.test(text);

type Finding = { file: string; line: number; text: string };

export function englishLiterals(sources: Map<string, SourceFile>): Finding[] {
  const findings: Finding[] = [];
  for (const [file, source] of sources) {
    const visit = (node: Node): void => {
      if (isNewExpression(node) && isIdentifier(node.expression) && PROGRAMMER_ERRORS.has(node.expression.text)) return;
      const texts = isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node) ? [node.text]
        : isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)] : [];
      const joined = texts.join(' … ');
      if (texts.length > 0 && looksLikeWords(joined) && !ALLOWED.has(joined)) findings.push({ file, line: lineOf(source, node), text: joined });
      if (isTemplateExpression(node)) for (const s of node.templateSpans) s.expression.forEachChild(visit), visit(s.expression);
      else node.forEachChild(visit);
    };
    source.forEachChild(visit);
  }
  return findings;
}

// The catalogue itself (core-messages.ts and the area files it spreads, src/core/words/*-messages.ts) is where the sentences belong.
const sourceFiles = (dir: string): string[] =>
  filesUnder(dir, (name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !/-messages\.ts$/.test(name));

/** Files not converted yet. Each must still have findings: a converted file leaves this list. */
const PENDING = new Set<string>([
]);

test('no sentence is written out in the scanned folders: each is said from CORE_MESSAGES', () => {
  const files = SCANNED.flatMap((d) => sourceFiles(join(SRC, d)));
  assert.ok(files.length >= 40, `only ${files.length} files found`);
  const all = englishLiterals(parseSources(Object.fromEntries(files.map((f) => [f.slice(SRC.length), readFileSync(f, 'utf8')]))));
  const findings = all.filter((f) => !PENDING.has(f.file)).map((f) => `src/${f.file}:${f.line}: ${JSON.stringify(f.text)}`);
  assert.deepEqual(findings, [], 'say these with say()/sayCount() and a core_ message (src/core/words/core-messages.ts and every _locales)');
  for (const file of PENDING) assert.ok(all.some((f) => f.file === file), `${file} is converted: take it off PENDING`);
});
