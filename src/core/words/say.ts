/**
 * The sentences the core (and the background) word in English, each from a message of
 * CORE_MESSAGES: the CLI prints them as they are, and the popup says them again in the UI
 * language by recognising the message and its substitutions (src/popup/said-again.ts,
 * docs/design.md#translations). So a sentence shown to a person is never written out in code:
 * it is `say(id, …subs)`, and the same id exists, translated, in every `_locales/<lang>`.
 */
import { CORE_MESSAGES, type CoreMessageId } from './core-messages.ts';

type Sub = string | number;

/**
 * `template` with `$1…$9` replaced by `subs` (a missing one empty) and `$$` by a dollar sign:
 * what the browsers' `i18n.getMessage` does with the same message.
 */
export function fillTemplate(template: string, subs: readonly string[]): string {
  return template.replace(/\$(?:([1-9])|(\$))/g, (_, index: string | undefined) => (index !== undefined ? (subs[Number(index) - 1] ?? '') : '$'));
}

/** The message `id` in English with `subs` as $1, $2, … */
export function say(id: CoreMessageId, ...subs: Sub[]): string {
  return fillTemplate(CORE_MESSAGES[id], subs.map(String));
}

/** Ids that come as `<id>_one` / `<id>_other` pairs (English's two plural forms). */
export type CountedId = CoreMessageId extends infer K ? (K extends `${infer B}_one` ? B : never) : never;

/** A counted message: `<id>_one` for 1, else `<id>_other`, with the count as $1 and `subs` as $2, … */
export function sayCount(id: CountedId, n: number, ...subs: Sub[]): string {
  return say(`${id}_${n === 1 ? 'one' : 'other'}` as CoreMessageId, n, ...subs);
}
