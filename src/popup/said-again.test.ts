// The popup says the core's sentences again in the UI language (said-again.ts): every core_
// message, filled with data of every shape, is recognised as itself with the same substitutions,
// and comes out as the German message with those substitutions; a said sentence inside another is
// said again too; anything else stays as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_MESSAGES, type CoreMessageId } from '../core/words/core-messages.ts';
import { say } from '../core/words/say.ts';
import { getMessageFrom, installMessages, readMessages } from './i18n-testing.ts';
import { compileTemplate, recognise, sayAgain, setSaidAgainMessages } from './said-again.ts';

const en = readMessages('en');
const de = readMessages('de');
setSaidAgainMessages(en);

/** Data as the core puts it into sentences: IDs, keys, counts, paths, lists, odd characters. */
const DATA = ['@alice:example.org', 'JLAFKJWSCS', 'nqOvzeuGWT/sRx3h7+MHoInYj3Uk2LD/unI9kDYcHwk', '/_matrix/client/v3/keys/upload', 'A, B, C', '$1 $$'];
/**
 * Free text (a server's or a parser's own words, which may hold ": " or " (") goes only into a
 * message's last substitution: recognition takes the shortest text for each earlier one.
 */
const FREE_TEXT = 'x (y): z. (w)';

function samples(id: string): string[][] {
  const template = CORE_MESSAGES[id as CoreMessageId];
  const n = Math.max(0, ...[...template.matchAll(/\$([1-9])/g)].map((m) => Number(m[1])));
  const last = Number([...template.matchAll(/\$([1-9])/g)].at(-1)?.[1] ?? 0);
  const plural = /_(one|other)$/.exec(id)?.[1];
  return [...DATA, FREE_TEXT].map((_, k) => Array.from({ length: n }, (_, i) => {
    if (i === 0 && plural) return plural === 'one' ? '1' : String(k + 2);
    if (k === DATA.length) return i + 1 === last ? FREE_TEXT : DATA[i % DATA.length]!;
    return DATA[(k + i) % DATA.length]!;
  }));
}

test('every core message filled with any data is recognised as itself with the same substitutions', () => {
  const wrong: string[] = [];
  for (const id of Object.keys(CORE_MESSAGES)) {
    for (const subs of samples(id)) {
      const text = say(id as CoreMessageId, ...subs);
      const got = recognise(text);
      if (got?.id !== id || JSON.stringify(got.subs) !== JSON.stringify(subs)) wrong.push(`${JSON.stringify(text)} → ${JSON.stringify(got)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('said again in German: the German message with the same data; English stays English', () => {
  installMessages('de');
  try {
    for (const id of Object.keys(CORE_MESSAGES)) {
      for (const subs of samples(id)) {
        const text = say(id as CoreMessageId, ...subs);
        assert.equal(sayAgain(text), getMessageFrom(de, id, subs), id);
      }
    }
    // Not a said sentence: data, or words the popup does not know, stay as they are.
    for (const text of ['@alice:example.org', 'Something the background said in its own words', '']) assert.equal(sayAgain(text), text);
  } finally {
    installMessages('en');
  }
  const text = say('core_step_sign_devices', 'DEVICE');
  assert.equal(sayAgain(text), text);
});

test('a said sentence inside another is said again too', () => {
  installMessages('de');
  try {
    const inner = say('core_plan_sign_devices');
    const outer = say('core_step_sign_devices', inner);
    assert.equal(sayAgain(outer), getMessageFrom(de, 'core_step_sign_devices', [getMessageFrom(de, 'core_plan_sign_devices')]));
  } finally {
    installMessages('en');
  }
});

test('templates match their fixed text literally, each $n as any text, $$ as a dollar sign', () => {
  const tpl = compileTemplate('core_x', 'Cost (in $$): $2 of $1?');
  assert.deepEqual(tpl.order, [2, 1]);
  assert.ok(tpl.pattern.test('Cost (in $): a of b?'));
  assert.ok(!tpl.pattern.test('Cost (in $): a of b'));
  assert.ok(!tpl.pattern.test('Cost (in X): a of b?'));
});

test('until the messages are read, text stays as it is', async () => {
  const { sayAgain: fresh } = await import(`./said-again.ts?fresh=${Date.now()}`) as typeof import('./said-again.ts');
  assert.equal(fresh(say('core_plan_sign_devices')), say('core_plan_sign_devices'));
});

test('a role label inside a said sentence is said in the UI language; alone it is data', () => {
  const label = 'self-signing key';
  const text = Object.entries(CORE_MESSAGES).find(([, m]) => /\$1/.test(m) && !/_(one|other)$/.test(m));
  assert.ok(text);
  const [id] = text;
  installMessages('de');
  try {
    const said = say(id as CoreMessageId, label, 'X', 'Y', 'Z');
    assert.ok(sayAgain(said).includes('Selbstsignatur-Schlüssel'), sayAgain(said));
    assert.equal(sayAgain(label), label);
  } finally {
    installMessages('en');
  }
  assert.ok(sayAgain(say(id as CoreMessageId, label, 'X', 'Y', 'Z')).includes(label));
});
