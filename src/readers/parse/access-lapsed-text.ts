/**
 * The wording of the access-lapsed state, on its own so the popup can show it without bundling
 * every read error (popup.js has a size budget).
 */
import { say } from '../../core/words/say.ts';
export const ACCESS_LAPSED = say('core_base_access_lapsed');
