// No popup component shows words of its own: every word a person reads comes through t/tp/tj
// from _locales (docs/design.md#translations). This scan of the syntax trees of
// src/popup/**/*.tsx fails on JSX text with letters, and on string literals with letters where
// they become visible text or a user-facing attribute, unless they are in ALLOWED below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SyntaxKind, type Expression, type Node, type SourceFile } from 'typescript/unstable/ast';
import {
  isBinaryExpression, isConditionalExpression, isIdentifier, isJsxAttribute, isJsxElement, isJsxExpression, isJsxFragment,
  isJsxOpeningElement, isJsxSelfClosingElement, isJsxText, isNoSubstitutionTemplateLiteral, isParenthesizedExpression,
  isStringLiteral, isTemplateExpression,
} from 'typescript/unstable/ast/is';
import { filesUnder, lineOf, parseSources } from './i18n-testing.ts';

/** Attributes a person reads (or a screen reader says); `value` only on inputs shown as buttons. */
const USER_FACING_ATTRIBUTES = new Set([
  'title', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'placeholder', 'alt',
  // Props of our components that end up as one of the above or as visible text.
  'label', 'legend', 'heading',
]);
const BUTTON_INPUT_TYPES = new Set(['button', 'submit', 'reset']);

/**
 * Strings with letters that are not words to translate. Each says why.
 */
const ALLOWED = new Set([
  'EsTc …', // the first characters of every recovery key (its format), as a placeholder
  'https://matrix-client.matrix.org', // an example homeserver URL, as a placeholder
  '@someone:example.org', '@name:server', // example user IDs, as placeholders
  'keys/query', 'room_keys/version', // API paths: the raw JSON pane names the request it shows
]);

const hasLetters = (text: string) => /\p{L}/u.test(text);

type Finding = { file: string; line: number; text: string };

/** The literal parts of an expression that are shown as they are (not ids passed to t, not data). */
function shownLiterals(e: Expression | undefined, out: Node[]): void {
  if (!e) return;
  if (isStringLiteral(e) || isNoSubstitutionTemplateLiteral(e)) out.push(e);
  else if (isTemplateExpression(e)) {
    out.push(e.head);
    for (const span of e.templateSpans) out.push(span.literal);
  } else if (isConditionalExpression(e)) {
    shownLiterals(e.whenTrue, out);
    shownLiterals(e.whenFalse, out);
  } else if (isBinaryExpression(e)) {
    // `a && 'text'` shows its right side only; `a || 'text'`, `a ?? 'text'` and `'text' + a` either side.
    shownLiterals(e.right, out);
    if (e.operatorToken.kind !== SyntaxKind.AmpersandAmpersandToken) shownLiterals(e.left, out);
  } else if (isParenthesizedExpression(e)) shownLiterals(e.expression, out);
}

export function hardCodedText(sources: Map<string, SourceFile>): Finding[] {
  const findings: Finding[] = [];
  for (const [file, source] of sources) {
    const flag = (node: Node, text: string) => {
      const trimmed = text.replace(/\s+/g, ' ').trim();
      if (hasLetters(trimmed) && !ALLOWED.has(trimmed)) findings.push({ file, line: lineOf(source, node), text: trimmed });
    };
    const flagLiterals = (e: Expression | undefined) => {
      const parts: Node[] = [];
      shownLiterals(e, parts);
      for (const p of parts) flag(p, (p as unknown as { text: string }).text);
    };
    const visit = (node: Node): void => {
      if (isJsxText(node)) flag(node, node.text);
      // An expression among an element's children is shown as text.
      if (isJsxExpression(node) && (isJsxElement(node.parent) || isJsxFragment(node.parent))) flagLiterals(node.expression);
      if (isJsxAttribute(node) && isIdentifier(node.name)) {
        const name = node.name.text;
        const element = node.parent.parent;
        const isButtonInput = (isJsxOpeningElement(element) || isJsxSelfClosingElement(element)) && isIdentifier(element.tagName)
          && element.tagName.text === 'input' && element.attributes.properties.some((a) => isJsxAttribute(a) && isIdentifier(a.name)
            && a.name.text === 'type' && a.initializer !== undefined && isStringLiteral(a.initializer) && BUTTON_INPUT_TYPES.has(a.initializer.text));
        if (USER_FACING_ATTRIBUTES.has(name) || (name === 'value' && isButtonInput)) {
          const init = node.initializer;
          if (init && isStringLiteral(init)) flag(init, init.text);
          else if (init && isJsxExpression(init)) flagLiterals(init.expression);
        }
      }
      node.forEachChild(visit);
    };
    source.forEachChild(visit);
  }
  return findings;
}

const tsxFiles = (dir: string): string[] => filesUnder(dir, (name) => name.endsWith('.tsx') && !name.endsWith('.test.tsx'));

const POPUP = new URL('./', import.meta.url).pathname;

/**
 * Components not converted yet, if ever one must wait (none now). Each must still have findings:
 * a converted file leaves this list, or the test says so.
 */
const PENDING = new Set<string>([]);

test('no popup component shows a word that is not from _locales', () => {
  const files = tsxFiles(POPUP);
  assert.ok(files.length >= 20, `only ${files.length} components found`);
  const sources = parseSources(Object.fromEntries(files.map((f) => [f.slice(POPUP.length), readFileSync(f, 'utf8')])));
  const all = hardCodedText(sources);
  const findings = all.filter((f) => !PENDING.has(f.file)).map((f) => `src/popup/${f.file}:${f.line}: ${JSON.stringify(f.text)}`);
  assert.deepEqual(findings, [], 'put these through t()/tp()/tj() with a message in public/_locales/*/messages.json');
  for (const file of PENDING) assert.ok(all.some((f) => f.file === file), `${file} is converted: take it off PENDING`);
});

test('the scan finds words planted in a component, and passes ids, data and symbols', () => {
  const planted = `
    export const A = ({ n, name }) => (
      <section aria-label="Planted section" data-testid="not-a-word-to-translate">
        <h2>Planted heading</h2>
        <input placeholder={n > 1 ? 'many things' : t('one')} title={\`about \${name}\`} />
        <input type="submit" value="Send it" />
        <input type="checkbox" value="data-value" />
        <p class="muted">{n === 1 ? 'one thing' : \`\${n} things\`}{name && ' and more'}</p>
        <p>{t('verdictHealthy')} ✓ — {name} {n} · {'→'}</p>
        <input placeholder="@someone:example.org" />
      </section>
    );`;
  const found = hardCodedText(parseSources({ 'planted.tsx': planted })).map((f) => f.text);
  assert.deepEqual(found.sort(), ['Planted heading', 'Planted section', 'Send it', 'about', 'and more', 'many things', 'one thing', 'things'].sort());
});
