import { t, type MessageId } from './i18n.ts';
import { sayAgain } from './said-again.ts';

/**
 * An error from the background in the UI language when it carries `words` (a message id and its
 * substitutions, src/ext/wire.ts), else its message said again (said-again.ts): in the UI language
 * when the core or background said it with `say()`, else as the background worded it.
 */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return sayAgain(String(e));
  return wordsText(e as { message: string; words?: Words });
}

type Words = { id: string; subs: string[] };

/** A message with optional words (an error, a rejected session): the words in the UI language, else the message said again. */
export function wordsText(m: { message: string; words?: Words | undefined }): string {
  // An id this build's _locales lacks (getMessage answers '') falls back to the English message.
  return (m.words && t(m.words.id as MessageId, ...m.words.subs)) || sayAgain(m.message);
}
