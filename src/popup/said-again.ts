/**
 * Says a sentence of the core or the background (English, from `say()`, src/core/words/say.ts)
 * again in the UI language (docs/design.md#translations). The popup carries no English copy of
 * those sentences: it reads them from the extension's own `_locales/en/messages.json` (the `core_`
 * messages), recognises which message a text is and its substitutions, and asks the browser's
 * i18n for that message. A substitution that is itself a said sentence (a step title inside an
 * error) is said again too. Text it does not recognise (data, a newer background, a sentence
 * already in the UI language) stays as it is.
 */
import { signal } from './signal.ts';
import { ROLE } from '../core/roles.ts';
import { t, tp, type MessageId, type PluralId } from './i18n.ts';

interface Template {
  id: string;
  pattern: RegExp;
  /** The substitution number ($n) of each capture group, in the order they appear (a $n may repeat). */
  order: number[];
  /** Characters of fixed text: the more, the more specific (tried first). */
  fixed: number;
}

/** The core's messages once read; undefined until then (texts stay English meanwhile). */
const templates = signal<readonly Template[] | undefined>(undefined);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A matcher for one English message: its fixed parts literally, each $n as any text. */
export function compileTemplate(id: string, message: string): Template {
  const order: number[] = [];
  let source = '';
  let fixed = 0;
  let from = 0;
  for (const m of message.matchAll(/\$(?:([1-9])|(\$))/g)) {
    const literal = message.slice(from, m.index);
    source += escape(literal);
    fixed += literal.length;
    if (m[1] !== undefined) {
      order.push(Number(m[1]));
      source += '([\\s\\S]*?)';
    } else {
      source += '\\$';
      fixed++;
    }
    from = m.index + m[0].length;
  }
  const tail = message.slice(from);
  return { id, pattern: new RegExp(`^${source}${escape(tail)}$`), order, fixed: fixed + tail.length };
}

/** The `core_` messages of an English messages file, most specific first. */
export function coreTemplates(messages: Record<string, { message?: unknown }>): Template[] {
  return Object.entries(messages)
    .filter(([id, m]) => id.startsWith('core_') && typeof m.message === 'string')
    .map(([id, m]) => compileTemplate(id, m.message as string))
    .sort((a, b) => b.fixed - a.fixed || a.id.localeCompare(b.id));
}

let started = false;
/** Starts reading the English messages (a file of the extension itself); safe to call again. */
export function loadSaidAgain(url = new URL('/_locales/en/messages.json', location.href).href): void {
  if (started) return;
  started = true;
  void fetch(url)
    .then((r) => r.json() as Promise<Record<string, { message?: unknown }>>)
    .then((messages) => { templates.value = coreTemplates(messages); }, () => { /* stays English */ });
}

/** For tests: use these messages instead of reading the file. */
export function setSaidAgainMessages(messages: Record<string, { message?: unknown }>): void {
  started = true;
  templates.value = coreTemplates(messages);
}

/** The words of a said text: its message id and substitutions (said again themselves), or undefined. */
export function recognise(text: string, depth = 0): { id: string; subs: string[] } | undefined {
  const all = templates.value;
  if (!all || depth > 3) return undefined;
  for (const tpl of all) {
    const m = tpl.pattern.exec(text);
    if (!m) continue;
    const subs: string[] = [];
    tpl.order.forEach((n, i) => { subs[n - 1] ??= m[i + 1]!; });
    return { id: tpl.id, subs: Array.from(subs, (s) => (s === undefined ? '' : sayAgainAt(s, depth + 1))) };
  }
  return undefined;
}

/**
 * The roles' labels (src/core/roles.ts), data inside many said sentences: roles.ts is in the
 * popup's first load and so says nothing itself; a substitution that is exactly a label is said
 * in the UI language here.
 */
const ROLE_LABELS = new Map<string, MessageId>([
  [ROLE.master.label, 'roleInSentence_master'],
  [ROLE.selfSigning.label, 'roleInSentence_selfSigning'],
  [ROLE.userSigning.label, 'roleInSentence_userSigning'],
]);

function sayAgainAt(text: string, depth: number): string {
  const role = depth > 0 ? ROLE_LABELS.get(text) : undefined;
  if (role !== undefined && templates.value) return t(role) || text;
  const words = recognise(text, depth);
  if (!words) return text;
  const plural = /^(.*)_(?:one|other)$/.exec(words.id);
  const said = plural && /^\d+$/.test(words.subs[0] ?? '')
    ? tp(plural[1] as PluralId, Number(words.subs[0]), ...words.subs.slice(1))
    : t(words.id as MessageId, ...words.subs);
  // An id this build's _locales lacks (getMessage answers '') keeps the English.
  return said || text;
}

/** `text` in the UI language when it is a sentence the core or background said, else as it is. */
export function sayAgain(text: string): string {
  return sayAgainAt(text, 0);
}
