/**
 * auth.html: the extension's own window for a UIA stage completed out of band (docs/protocol.md#uia-fallback,
 * docs/protocol.md#uia-oauth). The background opens this page; it window.open()s the homeserver's fallback page (or the
 * account-management approval page), so it is that page's `window.opener` and receives the
 * spec's `postMessage("authDone", "*")`, which it forwards to the background.
 *
 * Kept out of popup.js (its size budget) and free of Preact: plain DOM, text only.
 * - The URL to open comes from the background's flow state, never from this page's query.
 * - A message counts only if it is exactly "authDone", from the window we opened, from the
 *   origin of the URL we opened (spec §Fallback example: `ev.origin === homeserverUrl`; under MAS
 *   the approval page has its own origin, docs/protocol.md#uia-oauth).
 */
import { send } from '../ext/messaging.ts';

const query = new URLSearchParams(location.search);
const flowId = query.get('flowId') ?? '';
const sessionId = query.get('sessionId') ?? '';

const el = (testId: string) => document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)!;
const main = el('auth-page');
const setText = (testId: string, text: string) => { el(testId).textContent = text; };
const failed = (e: unknown) => setText('auth-status', e instanceof Error ? e.message : String(e));

async function start(): Promise<void> {
  const view = await send('repairState', { sessionId });
  const prompt = view?.flowId === flowId ? view.prompt : undefined;
  if (prompt === undefined || (prompt.kind !== 'fallback' && prompt.kind !== 'approval')) {
    main.dataset['state'] = 'over';
    setText('auth-text', 'This step is over. You can close this window.');
    return;
  }
  const { kind, url } = prompt;
  const origin = new URL(url).origin;
  let opened: Window | null = null;
  const closeOpened = (): void => {
    try {
      opened?.close();
    } catch {
      // A dead handle (Firefox, where this page is not used for that reason): nothing to close.
    }
  };
  main.dataset['state'] = 'waiting';
  main.dataset['kind'] = kind;
  setText('auth-text', kind === 'fallback'
    ? 'Complete the step in the homeserver’s page. This window closes by itself once the step is done; if it does not, press Done.'
    : 'Approve the reset in your account settings. The repair goes on by itself once the homeserver accepts it.');
  setText('auth-url', url);

  window.addEventListener('message', (ev: MessageEvent) => {
    if (ev.data !== 'authDone' || ev.origin !== origin || opened === null || ev.source !== opened) return;
    main.dataset['state'] = 'done';
    setText('auth-status', 'The page reports the step is done; going on…');
    closeOpened();
    send('repairAuthDone', { flowId }).catch(failed);
  });

  const open = () => {
    // No "noopener": being the page's opener is the point.
    opened = window.open(url, 'xsign-doctor-auth', 'popup,width=560,height=720');
    el('auth-open').hidden = false;
    if (opened === null) setText('auth-status', 'The browser blocked the page; press “Open the page”.');
    else setText('auth-status', '');
  };
  el('auth-open').addEventListener('click', open);
  // Once the prompt is over (done, Done pressed, approved, cancelled), close the page we opened
  // and this window. Only its opener can close that page; the background's windows.remove of this
  // window (its backstop) would leave it open.
  const timer = setInterval(() => {
    send('repairState', { sessionId }).then((now) => {
      const p = now?.flowId === flowId ? now.prompt : undefined;
      if (p?.kind === kind && p.url === url) return;
      clearInterval(timer);
      closeOpened();
      window.close();
    }, () => { /* the next tick retries */ });
  }, 400);
  window.addEventListener('pagehide', closeOpened);
  if (kind === 'fallback') {
    el('auth-done').hidden = false;
    el('auth-done').addEventListener('click', () => {
      send('repairFallbackDone', { flowId }).then(() => window.close(), failed);
    });
  }
  open();
}

start().catch(failed);
