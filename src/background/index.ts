// Background entry (Chrome service worker / Firefox event page). Listeners are registered
// synchronously at top level so a worker woken by a message finds them in place.
import { browser } from '../ext/api.ts';
import { createReceiver } from '../ext/receiver.ts';
import { handlers } from './handlers.ts';
import { tabAccess } from './tab-access-state.ts';

browser.runtime.onMessage.addListener(createReceiver(handlers));
// A closed tab's grant never comes back: re-reads waiting for it fail with no-tab.
browser.tabs.onRemoved.addListener((tabId) => tabAccess.gone(tabId));
