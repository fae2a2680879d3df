/**
 * The errors a tab read can end in, each with a stable `code` (the popup's `data-code`) and a
 * message that says what to do. Also the pure classification of tab URLs and injection errors.
 */
import type { AppName, ReadErrorCode } from './types.ts';
import { ACCESS_LAPSED } from './access-lapsed-text.ts';
import { say } from '../../core/words/say.ts';

/**
 * A message id of the popup's _locales and its substitutions, for a message the popup says in
 * the UI language (docs/design.md#translations); the English `message` stays for the CLI and logs.
 */
export type Words = { id: string; subs: string[] };

export class SessionReadError extends Error {
  override readonly name = 'SessionReadError';
  readonly code: ReadErrorCode;
  /** Set when `message` is one of MESSAGES: the popup shows it from these. */
  readonly words: Words | undefined;
  constructor(code: ReadErrorCode, message: string) {
    super(message);
    this.code = code;
    this.words = wordsOf(message);
  }
}

export const MESSAGES = {
  notMatrix: say('core_base_read_not_matrix'),
  unreadable: say('core_base_read_unreadable'),
  noTab: say('core_base_read_no_tab'),
  /**
   * activeTab withdrawn from an ordinary web app (Firefox: any reload; Chromium: a cross-origin
   * navigation, e.g. an SSO round trip). Nothing is wrong with the page: one click restores it.
   */
  accessLapsed: ACCESS_LAPSED,
  insecure: (app: AppName) => say('core_base_read_insecure', app),
  invalidToken: (app: AppName | 'manual') =>
    app === 'manual' ? say('core_base_read_invalid_token_manual') : say('core_base_read_invalid_token', app),
  softLogout: (app: AppName | 'manual') =>
    app === 'manual' ? say('core_base_read_soft_logout_manual') : say('core_base_read_soft_logout', app),
} as const;

const APPS: readonly AppName[] = ['Element', 'Cinny', 'Sable', 'Hydrogen', 'FluffyChat', 'Commet'];

/** The message id of each of MESSAGES, its app (when it names one) as $1. */
export const READ_ERROR_WORDS = {
  notMatrix: 'err_not_matrix',
  unreadable: 'err_unreadable',
  noTab: 'err_no_tab',
  accessLapsed: 'accessLapsed',
  insecure: 'err_insecure',
  invalidToken: 'err_invalid_token',
  invalidTokenManual: 'err_invalid_token_manual',
  softLogout: 'err_soft_logout',
  softLogoutManual: 'err_soft_logout_manual',
} as const;

/** The words of a message that is one of MESSAGES; undefined for any other. */
export function wordsOf(message: string): Words | undefined {
  const W = READ_ERROR_WORDS;
  for (const key of ['notMatrix', 'unreadable', 'noTab', 'accessLapsed'] as const) {
    if (message === MESSAGES[key]) return { id: W[key], subs: [] };
  }
  if (message === MESSAGES.invalidToken('manual')) return { id: W.invalidTokenManual, subs: [] };
  if (message === MESSAGES.softLogout('manual')) return { id: W.softLogoutManual, subs: [] };
  for (const app of APPS) {
    if (message === MESSAGES.insecure(app)) return { id: W.insecure, subs: [app] };
    if (message === MESSAGES.invalidToken(app)) return { id: W.invalidToken, subs: [app] };
    if (message === MESSAGES.softLogout(app)) return { id: W.softLogout, subs: [app] };
  }
  return undefined;
}

/** URLs no extension may script (browser UI, other extensions, add-on stores). */
const PROTECTED_SCHEMES = /^(?:about|chrome|chrome-extension|chrome-search|chrome-untrusted|devtools|edge|brave|opera|vivaldi|moz-extension|resource|view-source|jar|extension):/i;
const PROTECTED_HOSTS = [
  /^chrome\.google\.com$/i, // the old Chrome Web Store (path /webstore)
  /^chromewebstore\.google\.com$/i,
  /^microsoftedge\.microsoft\.com$/i,
  /^addons\.mozilla\.org$/i,
  /^accounts\.firefox\.com$/i,
];

/** Is this a tab URL that extensions can never read? `undefined` (URL hidden) is not decided here. */
export function isProtectedUrl(url: string | undefined): boolean {
  if (url === undefined || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // An unparsable URL cannot be a page we can read either.
    return true;
  }
  // The parsed scheme, not the raw text: the URL parser drops leading controls and spaces.
  if (PROTECTED_SCHEMES.test(parsed.protocol) || PROTECTED_SCHEMES.test(url)) return true;
  if (parsed.hostname === 'chrome.google.com') return parsed.pathname.startsWith('/webstore');
  return PROTECTED_HOSTS.some((re) => re.test(parsed.hostname));
}

/** What the background knows of the tab when an injection fails. */
export type TabHint = {
  /** The tab's URL now, when the browser shows it (it hides it once the grant is gone). */
  url?: string | undefined;
  /** The URL this tab had at its last read that could see it. */
  knownUrl?: string | undefined;
  /** A Matrix session was read from this tab before (so it held a web app, not a protected page). */
  readBefore?: boolean;
};

/** The browser refused to script the tab for want of permission (not because of what the page is). */
const NO_PERMISSION = /cannot access contents of|missing host permission/i;

/**
 * Map an executeScript rejection to an error code. Chromium: "Cannot access contents of the page…",
 * "Cannot access a chrome:// URL", "The extensions gallery cannot be scripted."; Firefox:
 * "Missing host permission for the tab".
 *
 * The "no permission" texts are the same for a protected page and for a web app whose activeTab
 * grant lapsed, so the tab's URL decides: protected (now, or when last seen) → unreadable-page,
 * a web page → access-lapsed. With no URL at all (the browser hides it without the grant, and a
 * restarted background forgot it), a tab a session was read from is a web app → access-lapsed.
 */
export function classifyInjectionError(message: string, hint: TabHint = {}): ReadErrorCode {
  if (/no tab with id|invalid tab id|tab .*not found/i.test(message)) return 'no-tab';
  if (NO_PERMISSION.test(message)) {
    const url = hint.url !== undefined && hint.url !== '' ? hint.url : hint.knownUrl;
    if (url !== undefined && url !== '') return isProtectedUrl(url) ? 'unreadable-page' : 'access-lapsed';
    // URL hidden and never seen: a tab we read a session from held a web app; any other is a
    // page we were never allowed into (e.g. about:blank opened in a detached window).
    return hint.readBefore === true ? 'access-lapsed' : 'unreadable-page';
  }
  if (/cannot be scripted|permission|not allowed|chrome:\/\/|about:|extensions gallery|frame with id \d+ (?:was removed|is showing error page)|error page/i.test(message)) {
    return 'unreadable-page';
  }
  return 'read-failed';
}
