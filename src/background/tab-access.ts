/**
 * What the background knows about its access to each tab (docs/design.md#tab-access).
 *
 * activeTab is granted per tab when the person invokes the toolbar action, and the browser takes
 * it back without telling us (Firefox: any reload; Chromium: a cross-origin navigation). We learn
 * it when a read of the tab fails for want of permission (`lapsed`), and that it is back when a
 * read succeeds again (`restored`) — which happens when the person clicks the icon on that tab and
 * the popup reads it. Re-reads that need the tab meanwhile wait here (`whenRestored`) instead of
 * failing or carrying on with a stale token.
 *
 * Memory only: a restarted background forgets lapses and waiters, and its next read finds out again.
 * Pure (no browser API), so the policy is unit-tested (tab-access.test.ts).
 */
import { MESSAGES, SessionReadError } from '../readers/parse/read-errors.ts';

type Waiter = { resolve: () => void; reject: (e: Error) => void };

export interface TabAccess {
  /** A read could see the tab's URL: remembered, to tell a lapsed grant from a protected page later. */
  seen(tabId: number, url: string): void;
  knownUrl(tabId: number): string | undefined;
  /** A read failed with access-lapsed. */
  lapsed(tabId: number): void;
  isLapsed(tabId: number): boolean;
  /** A read succeeded: the grant is back; every waiter carries on. */
  restored(tabId: number): void;
  /** Resolves when the tab is read successfully again; rejects (no-tab) if the tab closes first. */
  whenRestored(tabId: number): Promise<void>;
  /** The tab closed: forget it, and fail its waiters with no-tab. */
  gone(tabId: number): void;
}

export function createTabAccess(): TabAccess {
  const urls = new Map<number, string>();
  const lapsedTabs = new Set<number>();
  const waiters = new Map<number, Waiter[]>();

  const settle = (tabId: number, how: (w: Waiter) => void) => {
    const list = waiters.get(tabId) ?? [];
    waiters.delete(tabId);
    for (const w of list) how(w);
  };

  return {
    seen(tabId, url) {
      urls.set(tabId, url);
    },
    knownUrl: (tabId) => urls.get(tabId),
    lapsed(tabId) {
      lapsedTabs.add(tabId);
    },
    isLapsed: (tabId) => lapsedTabs.has(tabId),
    restored(tabId) {
      lapsedTabs.delete(tabId);
      settle(tabId, (w) => w.resolve());
    },
    whenRestored(tabId) {
      return new Promise<void>((resolve, reject) => {
        const list = waiters.get(tabId) ?? [];
        list.push({ resolve, reject });
        waiters.set(tabId, list);
      });
    },
    gone(tabId) {
      urls.delete(tabId);
      lapsedTabs.delete(tabId);
      settle(tabId, (w) => w.reject(new SessionReadError('no-tab', MESSAGES.noTab)));
    },
  };
}
