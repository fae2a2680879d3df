/**
 * For unit tests only (the popup never imports it): a stand-in for the browser's i18n API over
 * one of our own `_locales/<lang>/messages.json`, substituting the way Chromium and Firefox do —
 * named placeholders ($NAME$, case-insensitive) first, then $1…$9 (a missing one is empty), `$$`
 * for a dollar sign. What the real browsers do with these files is checked end to end in
 * e2e/translations.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { API } from 'typescript/unstable/sync';
import { createVirtualFileSystem } from 'typescript/unstable/fs';
import type { Node, SourceFile } from 'typescript/unstable/ast';

export type MessagesFile = Record<string, { message: string; description?: string; placeholders?: Record<string, { content: string; example?: string }> }>;

/** Every file under `dir` (sorted, recursively) whose name `keep` accepts: what the source scans read. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, keep);
    return keep(name) ? [path] : [];
  });
}

export const LOCALES_DIR = new URL('../../public/_locales/', import.meta.url).pathname;

export function readMessages(lang: string): MessagesFile {
  return JSON.parse(readFileSync(`${LOCALES_DIR}${lang}/messages.json`, 'utf8')) as MessagesFile;
}

/** getMessage over `messages`: '' for an unknown id, as the browsers answer. */
export function getMessageFrom(messages: MessagesFile, id: string, substitutions: string | string[] = []): string {
  const entry = messages[id];
  if (!entry) return '';
  const subs = typeof substitutions === 'string' ? [substitutions] : substitutions;
  const named = new Map(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));
  const withNamed = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (m, name: string) => named.get(name.toLowerCase()) ?? m);
  return withNamed.replace(/\$(?:([1-9]\d*)|(\$+))/g, (_, index: string | undefined, dollars: string | undefined) =>
    index !== undefined ? (subs[Number(index) - 1] ?? '') : dollars!);
}

/** Installs `globalThis.chrome.i18n` answering from `_locales/<lang>` (English by default). */
export function installMessages(lang = 'en'): void {
  const messages = readMessages(lang);
  const scope = globalThis as { chrome?: Record<string, unknown> };
  scope.chrome = {
    ...scope.chrome,
    i18n: { getMessage: (id: string, subs?: string | string[]) => getMessageFrom(messages, id, subs), getUILanguage: () => lang },
  };
}

/**
 * Parses TypeScript/TSX sources into syntax trees with the TypeScript 7 API (the `typescript`
 * dev dependency; its compiler runs as a child process, so sources are handed over as a
 * virtual file system). Parsing only: no types are checked.
 */
export function parseSources(files: Record<string, string>): Map<string, SourceFile> {
  const root = '/virtual/';
  const names = Object.keys(files);
  const fs = createVirtualFileSystem({
    [`${root}tsconfig.json`]: JSON.stringify({ compilerOptions: { jsx: 'preserve', noLib: true, types: [], noResolve: true }, files: names }),
    ...Object.fromEntries(names.map((n) => [`${root}${n}`, files[n]!])),
  });
  const api = new API({ fs, cwd: root });
  try {
    const program = api.updateSnapshot({ openProject: `${root}tsconfig.json` }).getProject(`${root}tsconfig.json`)!.program;
    return new Map(names.map((n) => [n, program.getSourceFile(`${root}${n}`)!]));
  } finally {
    api.close();
  }
}

/** 1-based line of a node, for messages. */
export const lineOf = (source: SourceFile, node: Node): number => source.text.slice(0, node.pos).split('\n').length;
