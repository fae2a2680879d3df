// Citation guard: comments cite the Matrix spec by section name, an upstream URL, or the in-repo
// docs as `docs/<file>.md#<anchor>` (docs/README.md#anchors). A citation of a reference note that
// only exists outside the repository, or of a docs file or anchor that does not exist, fails here
// with file:line. This file itself is not scanned: its planted bad examples and messages name the
// very things it forbids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const docsDir = join(root, 'docs');
const SCAN_DIRS = ['src', 'e2e', 'scripts', 'bench', 'test'];
const TEXT_FILE = /\.(?:ts|tsx|mts|mjs|js|cjs|json|py|md|sh|txt|html)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : TEXT_FILE.test(name) ? [path] : [];
  });
}

/** docs file name → the explicit anchors (`<a id="…"></a>`) it defines. */
export type DocsIndex = ReadonlyMap<string, ReadonlySet<string>>;

const ANCHOR = /<a id="([^"]*)"><\/a>/g;

export function anchorsOf(markdown: string): string[] {
  return [...markdown.matchAll(ANCHOR)].map((m) => m[1]!);
}

function loadDocs(): DocsIndex {
  return new Map(readdirSync(docsDir).filter((n) => n.endsWith('.md')).map((n) => [n, new Set(anchorsOf(readFileSync(join(docsDir, n), 'utf8')))]));
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** The docs every part of the code relies on; each must have anchors and be cited. */
const DOC_FILES = ['matrix-api.md', 'web-clients.md', 'design.md'];

/**
 * A planted outside citation, spelled at run time so that this file does not itself name the
 * outside notes (`outside(stem)` is that note's file name).
 */
const outside = (stem: string): string => `${stem}.${'md'}`;

/**
 * The outside notes' names and folder, in pieces for the same reason: the patterns below are built
 * from them, so this file names none of them whole.
 */
const NOTE_STEMS = ['proto' + 'col', 'web-app-' + 'storage', 'browser-' + 'testing', 'land' + 'scape'];
const HOUSE = 'ouse[- ]' + 'style';
const SHARED = 'sha' + 'red';

/** What cites a document outside the repository, and how to say it instead. */
const FOREIGN: readonly [RegExp, string][] = [
  [new RegExp(`(?<![\\w/.-])(?:${NOTE_STEMS.join('|')})\\.md`, 'g'), 'a reference note outside the repository'],
  [new RegExp(`[Hh]${HOUSE}`, 'g'), 'the house rules outside the repository (cite docs/design.md#…)'],
  [new RegExp(`/work/${SHARED}|\\.\\./${SHARED}\\b`, 'g'), 'a path outside the repository'],
  // Numbered sections belonged to the old reference notes; the spec and docs/ use names/anchors.
  [/(?<!RFC \d{3,5} |\.md )§\d+(?:\.\d+)*/g, 'a numbered § of a reference note (cite docs/<file>.md#<anchor> or the spec by name)'],
];

/** Citations of documents outside the repository, as `file:line: …`. */
export function foreignCitations(file: string, text: string): string[] {
  const out: { index: number; message: string }[] = [];
  for (const [re, what] of FOREIGN) {
    for (const m of text.matchAll(re)) out.push({ index: m.index, message: `${file}:${lineOf(text, m.index)}: cites ${what}: "${m[0]}"` });
  }
  return out.sort((a, b) => a.index - b.index).map((x) => x.message);
}

function checkTarget(docs: DocsIndex, name: string, anchor: string | undefined): string | undefined {
  const anchors = docs.get(name);
  if (!anchors) return `docs/${name} does not exist`;
  if (anchor !== undefined && !anchors.has(anchor)) return `docs/${name} has no anchor #${anchor}`;
  return undefined;
}

/** `docs/<file>.md#<anchor>` citations whose file or anchor does not exist. */
export function brokenDocCitations(file: string, text: string, docs: DocsIndex): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bdocs\/([\w.-]+?\.md)(?:#([\w-]+))?/g)) {
    const why = checkTarget(docs, m[1]!, m[2]);
    if (why) out.push(`${file}:${lineOf(text, m.index)}: ${why}`);
  }
  return out;
}

/**
 * Relative markdown links (`[t](matrix-api.md#x)`, `[t](#x)`, `[t](docs/design.md)`) of a markdown
 * file at `file` (repository-relative) that point into docs/ at a missing file or anchor.
 */
export function brokenMarkdownLinks(file: string, text: string, docs: DocsIndex): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s#]*)(?:#([^)\s]*))?\)/g)) {
    const [, target = '', anchor] = m;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const resolved = target === '' ? file : join(dirname(file), target);
    if (dirname(resolved) !== 'docs' || !resolved.endsWith('.md')) continue;
    const why = checkTarget(docs, resolved.slice('docs/'.length), anchor);
    if (why) out.push(`${file}:${lineOf(text, m.index)}: link to ${target}${anchor === undefined ? '' : `#${anchor}`}: ${why}`);
  }
  return out;
}

/** Anchors defined twice in one docs file (a citation would be ambiguous). */
export function duplicateAnchors(file: string, markdown: string): string[] {
  const seen = new Set<string>();
  return anchorsOf(markdown).filter((a) => (seen.has(a) ? true : (seen.add(a), false))).map((a) => `${file}: anchor #${a} is defined twice`);
}

const SELF = relative(root, new URL(import.meta.url).pathname);
const scanned = () => SCAN_DIRS.flatMap((d) => walk(join(root, d)))
  .map((p) => relative(root, p))
  .filter((rel) => rel !== SELF)
  .map((rel) => ({ rel, text: readFileSync(join(root, rel), 'utf8') }));
const markdownFiles = () => ['README.md', ...readdirSync(docsDir).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)]
  .map((rel) => ({ rel, text: readFileSync(join(root, rel), 'utf8') }));

test('no code, test, script or vector cites a document outside the repository', () => {
  assert.deepEqual(scanned().flatMap(({ rel, text }) => foreignCitations(rel, text)), []);
});

test('every docs/<file>.md#<anchor> citation in the code names an existing file and anchor', () => {
  const docs = loadDocs();
  assert.deepEqual(scanned().flatMap(({ rel, text }) => brokenDocCitations(rel, text, docs)), []);
});

test('README.md and docs/ link only to existing docs files and anchors, each anchor defined once', () => {
  const docs = loadDocs();
  const problems = markdownFiles().flatMap(({ rel, text }) => [
    ...brokenDocCitations(rel, text, docs),
    ...brokenMarkdownLinks(rel, text, docs),
    ...(rel.startsWith('docs/') ? duplicateAnchors(rel, text) : []),
  ]);
  assert.deepEqual(problems, []);
});

test('the scan really covers the cited docs: each docs file defines anchors that code cites', () => {
  const docs = loadDocs();
  for (const name of DOC_FILES) assert.ok((docs.get(name)?.size ?? 0) > 0, name);
  const cited = scanned().flatMap(({ text }) => [...text.matchAll(/\bdocs\/([\w.-]+?\.md)#/g)].map((m) => m[1]));
  for (const name of DOC_FILES) assert.ok(cited.includes(name), `nothing cites docs/${name}`);
});

/** Repository paths (`a/b`, `a/b.ts`) named in backticks in README.md's Layout section that do not exist. */
export function missingLayoutPaths(readme: string, exists: (rel: string) => boolean): string[] {
  const start = readme.indexOf('\n## Layout');
  if (start < 0) return ['README.md has no ## Layout section'];
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/`([\w.-]+\/[\w./-]*)`/g)]
    .map((m) => m[1]!)
    .filter((p) => !p.includes('<') && !exists(p.replace(/\/$/, '')))
    .map((p) => `README.md Layout names ${p}, which does not exist`);
}

test("README.md's Layout section names only paths that exist", () => {
  assert.deepEqual(missingLayoutPaths(readFileSync(join(root, 'README.md'), 'utf8'), (rel) => existsSync(join(root, rel))), []);
});

test('the guards really fire, naming file and line', () => {
  const docs: DocsIndex = new Map([['matrix-api.md', new Set(['uia-oauth'])], ['README.md', new Set(['anchors'])]]);
  const planted = [
    `// first line\n// second\n// Synapse under MAS (${outside(NOTE_STEMS[0]!)} §2.5)`,
    `/** token rotation (${outside(NOTE_STEMS[1]!)} §1.6) */`,
    `// see h${'ouse st'}yle §Errors`,
    `// ${outside(`house-${'style'}`)} section 7`,
    `// ${outside(NOTE_STEMS[2]!)} §4 finding 3`,
    `// ${outside(NOTE_STEMS[3]!)} §2`,
    `// Formats: /work/${'shared'}/${'reference'}/x.md`,
    `// ../${'shared'}/${'reference'}/protocol notes`,
    '// polling (§2.5)',
  ];
  for (const text of planted) assert.equal(foreignCitations('src/x.ts', text).length, 1, text);
  assert.match(foreignCitations('src/x.ts', planted[0]!)[0]!, /^src\/x\.ts:3: /);
  for (const clean of ['// docs/matrix-api.md#uia-oauth', '// RFC 8032 §7.1 TEST 2', '// spec §Cross-signing', "import { x } from './ext/protocol.ts';"]) {
    assert.deepEqual(foreignCitations('src/x.ts', clean), [], clean);
  }

  assert.deepEqual(brokenDocCitations('src/x.ts', `// ok (docs/matrix-api.md#uia-oauth).`, docs), []);
  assert.deepEqual(brokenDocCitations('src/x.ts', `// a\n// (docs/matrix-api.md#uia-oath)`, docs), ['src/x.ts:2: docs/matrix-api.md has no anchor #uia-oath']);
  assert.deepEqual(brokenDocCitations('src/x.ts', `// docs/protocl.md#uia-oauth`, docs), ['src/x.ts:1: docs/protocl.md does not exist']);
  assert.deepEqual(brokenDocCitations('src/x.ts', `// docs/nope.md`, docs), ['src/x.ts:1: docs/nope.md does not exist']);

  assert.deepEqual(brokenMarkdownLinks('docs/design.md', '[a](matrix-api.md#uia-oauth) [b](README.md#anchors) [c](https://x.org/a.md#b)', docs), []);
  assert.equal(brokenMarkdownLinks('docs/design.md', 'x\n[a](matrix-api.md#nope)', docs)[0], 'docs/design.md:2: link to matrix-api.md#nope: docs/matrix-api.md has no anchor #nope');
  assert.equal(brokenMarkdownLinks('README.md', '[d](docs/missing.md)', docs).length, 1);
  assert.equal(brokenMarkdownLinks('docs/matrix-api.md', '[here](#nope)', docs).length, 1);
  assert.deepEqual(brokenMarkdownLinks('docs/matrix-api.md', '[here](#uia-oauth)', docs), []);

  const readme = '# X\n## Layout\n| `src/core/` | x |\n| `src/gone/` | `docs/<file>.md` |\n## Next\n`src/elsewhere/`';
  assert.deepEqual(missingLayoutPaths(readme, (rel) => rel === 'src/core'), ['README.md Layout names src/gone/, which does not exist']);

  assert.deepEqual(duplicateAnchors('docs/x.md', '<a id="a"></a>\n<a id="b"></a>\n<a id="a"></a>'), ['docs/x.md: anchor #a is defined twice']);
});
