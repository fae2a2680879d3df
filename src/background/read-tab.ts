/**
 * Reading a tab: inject the bundled page reader (readers/page-reader.js, ISOLATED world), check
 * the dump's shape, ask Element's live client in the MAIN world when that gives a fresher token
 * (OIDC) or the storage read failed, and parse everything into session candidates.
 *
 * Injection is by file, not `func`: the injected code is exactly the unit-tested modules, bundled
 * (scripts/reader-bundle.mjs), and Chromium and Firefox both await the script's promise value.
 */
import { browser } from '../ext/api.ts';
import { parseDump, validateDump, validateLiveClient, wantsLiveClient } from '../readers/parse/parse-dump.ts';
import { classifyInjectionError, isProtectedUrl, MESSAGES, SessionReadError } from '../readers/parse/read-errors.ts';
import type { Parsed } from '../readers/parse/candidate.ts';
import { tabAccess } from './tab-access-state.ts';
import { sessionForTab } from './session-store.ts';
import { say } from '../core/words/say.ts';

export const PAGE_READER = 'readers/page-reader.js';
export const ELEMENT_LIVE = 'readers/element-live.js';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function injectionError(message: string, tabId: number, url: string | undefined): Promise<SessionReadError> {
  // Sessions live in storage.session: they outlast a restarted background's memory of URLs.
  const readBefore = (await sessionForTab(tabId))?.tabId === tabId;
  const code = classifyInjectionError(message, { url, knownUrl: tabAccess.knownUrl(tabId), readBefore });
  if (code === 'access-lapsed') {
    tabAccess.lapsed(tabId);
    return new SessionReadError(code, MESSAGES.accessLapsed);
  }
  if (code === 'unreadable-page') return new SessionReadError(code, MESSAGES.unreadable);
  if (code === 'no-tab') return new SessionReadError(code, MESSAGES.noTab);
  return new SessionReadError(code, say('core_base_tab_storage_unreadable', message));
}

/** Run one reader file in the tab's top frame and return its (awaited) completion value. */
async function inject(tabId: number, file: string, world: 'ISOLATED' | 'MAIN', url: string | undefined): Promise<unknown> {
  let results: { result?: unknown; error?: unknown }[];
  try {
    results = await browser.scripting.executeScript({ target: { tabId }, files: [file], world });
  } catch (e) {
    throw await injectionError(messageOf(e), tabId, url);
  }
  const first = results[0];
  // No result at all: the frame could not be scripted (e.g. an error page).
  if (!first) throw new SessionReadError('unreadable-page', MESSAGES.unreadable);
  // Firefox reports a script's exception in the result instead of rejecting.
  if (first.error !== undefined && first.error !== null) throw await injectionError(messageOf(first.error), tabId, url);
  return first.result;
}

/** The tab's URL when the extension may see it (activeTab / host permission), else undefined. */
async function tabUrl(tabId: number): Promise<string | undefined> {
  try {
    return (await browser.tabs.get(tabId)).url;
  } catch {
    // tabs.get rejects for a closed tab.
    throw new SessionReadError('no-tab', MESSAGES.noTab);
  }
}

/** Every session candidate in the tab, plus what was found but is unusable. */
export async function readTabCandidates(tabId: number): Promise<Parsed> {
  const url = await tabUrl(tabId);
  if (isProtectedUrl(url)) throw new SessionReadError('unreadable-page', MESSAGES.unreadable);
  // Without the grant the browser hides the URL: remember the one seen, to tell a lapse later.
  if (url !== undefined && url !== '') tabAccess.seen(tabId, url);
  const dump = await inject(tabId, PAGE_READER, 'ISOLATED', url);
  // The page could be scripted: the grant is there (again); re-reads waiting for it carry on.
  tabAccess.restored(tabId);
  const checked = validateDump(dump);
  if (!checked.ok) throw new SessionReadError('read-failed', say('core_base_tab_storage_unreadable', checked.error));
  let live = null;
  if (wantsLiveClient(checked.dump)) {
    try {
      live = validateLiveClient(await inject(tabId, ELEMENT_LIVE, 'MAIN', url));
    } catch {
      // The MAIN world is a bonus (fresher OIDC token); the storage read stands on its own.
    }
  }
  return parseDump(checked.dump, live);
}
