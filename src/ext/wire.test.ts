// The reply envelope: large replies cross as one JSON string (docs/design.md#reply-as-json), the
// others as values; the page side accepts both and nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWireReply, replyValue } from './wire.ts';

// receiver.ts imports webextension-polyfill, which refuses to load outside an extension: give it a
// minimal `browser` first (as messaging.fuzz.test.ts does), with an https origin Node can parse.
const EXTENSION_ORIGIN = 'https://wire-test-extension.invalid';
const g = globalThis as Record<string, unknown>;
const runtime = { id: 'wire-test-id', getURL: (p: string) => new URL(p, EXTENSION_ORIGIN).href };
g.chrome ??= { runtime };
g.browser ??= { runtime };
const { clonesReplies, createReceiver, JSON_REPLIES } = await import('./receiver.ts');

const trusted = { id: runtime.id, url: `${EXTENSION_ORIGIN}/popup.html` };
const report = { report: { devices: [{ deviceId: 'A', displayName: 'x"\u2028\u0000y', crossSigned: 'valid' }], healthy: true }, elapsedMs: 3 };

describe('the reply envelope', () => {
  it('Firefox (moz-extension:) gets JSON strings, Chromium values', () => {
    assert.equal(clonesReplies('moz-extension://0b5c7e1a-1111-2222-3333-444455556666/'), true);
    assert.equal(clonesReplies('chrome-extension://abcdefghijklmnopabcdefghijklmnop/'), false);
  });

  it('with JSON replies on, readStatus, readUsers and readRaw reply with one JSON string that parses back to the value', async () => {
    assert.deepEqual([...JSON_REPLIES].sort(), ['readRaw', 'readStatus', 'readUsers']);
    const receive = createReceiver({ readStatus: async () => report } as never, { jsonReplies: true });
    const reply = await receive({ type: 'readStatus', req: { sessionId: 's1' } }, trusted as never);
    assert.ok(reply && reply.ok && 'json' in reply, 'a JSON string');
    assert.equal(typeof reply.json, 'string');
    assert.ok(isWireReply(reply));
    assert.deepEqual(replyValue(reply), report);
  });

  it('with them off (Chromium, and this test stub\u2019s https origin by default), readStatus stays a value', async () => {
    const receive = createReceiver({ readStatus: async () => report } as never);
    assert.deepEqual(await receive({ type: 'readStatus', req: { sessionId: 's1' } }, trusted as never), { ok: true, value: report });
  });

  it('other replies stay values; errors stay errors', async () => {
    const receive = createReceiver({ ping: async () => ({ pong: true }), forgetSession: async () => { throw new TypeError('no such session'); } } as never, { jsonReplies: true });
    const ping = await receive({ type: 'ping', req: {} }, trusted as never);
    assert.deepEqual(ping, { ok: true, value: { pong: true } });
    assert.deepEqual(replyValue(ping as { ok: true; value: unknown }), { pong: true });
    const failed = await receive({ type: 'forgetSession', req: { sessionId: 's1' } }, trusted as never);
    assert.deepEqual(failed, { ok: false, error: { name: 'TypeError', message: 'no such session' } });
  });

  it('the strict request validation still runs first: a bad readStatus request reaches no handler', async () => {
    let called = 0;
    const receive = createReceiver({ readStatus: async () => { called++; return report; } } as never, { jsonReplies: true });
    const reply = await receive({ type: 'readStatus', req: { sessionId: 's1', extra: 1 } }, trusted as never);
    assert.equal(reply?.ok, false);
    assert.equal(called, 0);
  });

  it('isWireReply accepts a value or a JSON string, and nothing else', () => {
    assert.ok(isWireReply({ ok: true, value: null }));
    assert.ok(isWireReply({ ok: true, json: '{}' }));
    assert.ok(!isWireReply({ ok: true, json: 5 }));
    assert.ok(!isWireReply({ ok: true }));
    assert.ok(!isWireReply({ ok: false, error: { name: 'E' } }));
  });
});
