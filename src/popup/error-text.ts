import { t, type MessageId } from './i18n.ts';

/**
 * An error from the background in the UI language when it carries `words` (a message id and its
 * substitutions, src/ext/wire.ts), else its English message as the background worded it.
 */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const words = (e as { words?: { id: string; subs: string[] } }).words;
  // An id this build's _locales lacks (getMessage answers '') falls back to the English message.
  return (words && t(words.id as MessageId, ...words.subs)) || e.message;
}
