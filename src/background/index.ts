// Background entry (Chrome service worker / Firefox event page). Listeners are registered
// synchronously at top level so a worker woken by a message finds them in place.
import { browser } from '../ext/api.ts';
import { createReceiver } from '../ext/receiver.ts';
import { handlers } from './handlers.ts';

browser.runtime.onMessage.addListener(createReceiver(handlers));
