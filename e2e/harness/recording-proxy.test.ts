// The leak watch's recording proxy under a browser's rough handling: Chromium resets the refused
// CONNECT tunnels of its own background requests, which once surfaced as an uncaught ECONNRESET
// that failed whichever test file had launched that browser.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startRecordingProxy } from './recording-proxy.ts';

test('a refused CONNECT that the client resets is recorded, and raises nothing', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  const proxy = await startRecordingProxy(() => false);
  try {
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(proxy.port, '127.0.0.1', () => {
          s.write('CONNECT accounts.google.com:443 HTTP/1.1\r\nHost: accounts.google.com:443\r\n\r\n');
          setTimeout(() => { s.resetAndDestroy(); resolve(); }, 1);
        });
        s.on('error', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(uncaught.map(String), []);
    assert.ok(proxy.requests.filter((r) => r.method === 'CONNECT' && r.origin === 'https://accounts.google.com').length >= 1);
  } finally {
    process.off('uncaughtException', onUncaught);
    await proxy.close();
  }
});
