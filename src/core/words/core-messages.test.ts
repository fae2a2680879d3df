// The core's English (CORE_MESSAGES) and the `core_` messages of _locales/en are one text twice:
// the CLI prints the first, the popup recognises the second (src/popup/said-again.ts), so they
// must be equal word for word; say() fills them as the browsers fill a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CORE_MESSAGES } from './core-messages.ts';
import { fillTemplate, say } from './say.ts';

const en = JSON.parse(readFileSync(new URL('../../../public/_locales/en/messages.json', import.meta.url), 'utf8')) as Record<string, { message: string }>;

test('every core_ message of English is in CORE_MESSAGES with the same words, and the other way round', () => {
  const inLocale = Object.keys(en).filter((id) => id.startsWith('core_')).sort();
  assert.deepEqual(Object.keys(CORE_MESSAGES).sort(), inLocale);
  const differ = inLocale.filter((id) => en[id]!.message !== CORE_MESSAGES[id as keyof typeof CORE_MESSAGES]);
  assert.deepEqual(differ, [], 'copy the English of these from core-messages.ts into public/_locales/en/messages.json');
});

test('core messages are named core_…, plural pairs complete, substitutions $1…$9 without gaps', () => {
  for (const [id, message] of Object.entries(CORE_MESSAGES)) {
    assert.match(id, /^core_[a-z0-9_]+$/, id);
    const plural = /^(.*)_(one|other)$/.exec(id);
    if (plural) assert.ok(`${plural[1]}_${plural[2] === 'one' ? 'other' : 'one'}` in CORE_MESSAGES, `${id} has no pair`);
    const used = [...new Set([...message.matchAll(/\$([1-9])/g)].map((m) => Number(m[1])))].sort();
    assert.deepEqual(used, used.map((_, i) => i + 1), `${id}: $n must be $1…$k`);
    assert.doesNotMatch(message.replace(/\$[1-9]|\$\$/g, ''), /\$/, `${id}: a lone $`);
    // The popup recognises a sentence by its fixed words: '$1 $2' or '$1: $2' would match any text.
    assert.match(message.replace(/\$[1-9]/g, ''), /\p{L}{3,}/u, `${id}: no word of its own besides the substitutions`);
  }
});

test('say fills $n and $$ as getMessage does', () => {
  assert.equal(fillTemplate('a $1 b $2 $$ $3', ['x', 'y']), 'a x b y $ ');
  assert.equal(say('core_step_sign_devices', 'A, B'), 'Cross-sign A, B');
  // A substitution is never read as a template again.
  assert.equal(say('core_step_sign_devices', '$1 $$'), 'Cross-sign $1 $$');
});
