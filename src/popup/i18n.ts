/**
 * The popup's words, from the extension's `_locales/<lang>/messages.json` through the browser's
 * i18n API (docs/design.md#translations). Nothing here carries text: ids only, so popup.js does
 * not grow with each language. Data (user IDs, device IDs, keys, hosts, counts) goes in as
 * substitutions ($1…$9), never into a message id.
 */
import type { ComponentChildren } from 'preact';

type Messages = typeof import('../../public/_locales/en/messages.json');
/** Every message id English has (the unit test holds German to the same set). */
export type MessageId = keyof Messages & string;
/** Ids that come as `<id>_one` / `<id>_other` pairs, picked by count (see tp). */
export type PluralId = MessageId extends infer K ? (K extends `${infer B}_one` ? B : never) : never;

type Sub = string | number;
interface I18nApi {
  getMessage(id: string, substitutions?: string | string[]): string;
  getUILanguage(): string;
}

const scope = globalThis as { browser?: { i18n?: I18nApi }; chrome?: { i18n?: I18nApi } };
/** Resolved on each call: tests install a stand-in (i18n-testing.ts) after this module loads. */
const api = (): I18nApi => {
  const i18n = scope.browser?.i18n ?? scope.chrome?.i18n;
  if (!i18n) throw new Error('No extension i18n API in this page');
  return i18n;
};

/** The message `id` in the browser's UI language (English where it has none), with `subs` as $1, $2, … */
export function t(id: MessageId, ...subs: Sub[]): string {
  return api().getMessage(id, subs.map(String));
}

let rules: { lang: string; rules: Intl.PluralRules } | undefined;
/** The plural category of `n` in the UI language ("one" or "other" in English and German). */
function category(n: number): string {
  const lang = api().getUILanguage();
  if (rules?.lang !== lang) rules = { lang, rules: new Intl.PluralRules(lang) };
  return rules.rules.select(n);
}

/**
 * A message that depends on a count: `<id>_<category>` (the browser's i18n has no plurals), with
 * the count as $1 and `subs` as $2, … A language whose rules name a category it has no message
 * for (e.g. "few") falls back to `<id>_other`.
 */
export function tp(id: PluralId, n: number, ...subs: Sub[]): string {
  const all = [String(n), ...subs.map(String)];
  return api().getMessage(`${id}_${category(n)}`, all) || api().getMessage(`${id}_other`, all);
}

/** Private-use characters that stand for the nodes in tj's message while it is split. */
const MARK = 0xe000;

/**
 * A message with elements inside it (a hostname in monospace, a link): each `nodes[i]` takes the
 * place of $<i+1>, so a translation may move it within the sentence.
 */
export function tj(id: MessageId, ...nodes: ComponentChildren[]): ComponentChildren[] {
  const text = api().getMessage(id, nodes.map((_, i) => String.fromCharCode(MARK + i)));
  const out: ComponentChildren[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i) - MARK;
    if (k < 0 || k >= nodes.length) continue;
    if (i > from) out.push(text.slice(from, i));
    out.push(nodes[k]);
    from = i + 1;
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}
