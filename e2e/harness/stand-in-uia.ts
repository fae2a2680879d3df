/**
 * Scripted `POST /_matrix/client/v3/keys/device_signing/upload` for the homeserver stand-in
 * (scripted-homeserver.ts): the two UIA shapes our Synapse cannot produce without an external
 * identity provider, reproduced from Synapse's documented responses.
 *
 * - fallbackUia: a one-stage flow through the stage's fallback page (docs/matrix-api.md#uia-challenge, docs/matrix-api.md#uia-fallback).
 *   The page's button completes the session and then runs EXACTLY the spec's completion script;
 *   a continuation `{auth:{session}}` succeeds once the session is complete.
 * - masApprovalUia: Synapse under MAS (docs/matrix-api.md#synapse-upload-uia step 4, docs/matrix-api.md#uia-oauth): session "dummy", flows m.oauth and
 *   org.matrix.cross_signing_reset with the same params url; `auth` is ignored; after an approval a
 *   re-POST of the full body succeeds for 10 minutes, and only ONE replacement per approval. Like
 *   Synapse delegating to MAS, it serves `GET /_matrix/client/v1/auth_metadata` (client-server API
 *   §OAuth 2.0 API: MAS's server metadata, whose `account_management_uri` is the approval page's
 *   origin). A HOSTILE variant (`url`, `advertise: false`, `pageScript`) sends a params url
 *   Synapse never would, or a page that misbehaves, for the checks of src/core/repair/auth-page.ts.
 *
 * Both answer an upload that changes no key with 200 `{}` at once (docs/matrix-api.md#synapse-upload-uia step 3), and publish the
 * keys of an accepted upload so /keys/query shows them.
 */
import { randomBytes } from 'node:crypto';
import { authorised, hasDifferentKeys, publishUpload, type StandInAccount } from './stand-in-account.ts';
import { PRESS_HOOK, sendHtml, sendJson, type RecordedRequest, type ScriptedHomeserver } from './scripted-homeserver.ts';

export const UPLOAD_PATH = '/_matrix/client/v3/keys/device_signing/upload';

/** The spec's completion script (client-server API §Fallback), verbatim. */
export const AUTH_DONE_SCRIPT =
  'if (window.onAuthDone) window.onAuthDone(); else if (window.opener && window.opener.postMessage) window.opener.postMessage("authDone", "*");';

/** Synapse's auth_success.html in substance. */
const successPage = (what: string) => `<!doctype html><html><head><title>Success</title></head><body>
<p data-testid="stand-in-success">${what}</p>
<script>${AUTH_DONE_SCRIPT}</script></body></html>`;

/**
 * A hidden form field telling the stand-in whether the page has an opener to signal to. It goes
 * with the form's POST: a report sent from the success page itself could be cut off when the
 * flow ends and the extension closes the window first.
 */
const OPENER_FIELD = `<input type="hidden" name="opener" value="unknown"><script>
document.currentScript.previousElementSibling.value = String(!!window.opener);</script>`;

/** What the submitted stand-in pages reported: did each have a window.opener? */
export const openerReports = (hs: ScriptedHomeserver): boolean[] =>
  hs.requests.filter((r) => r.method === 'POST').map((r) => new URLSearchParams(r.rawBody).get('opener'))
    .filter((v) => v !== null).map((v) => v === 'true');

export type FallbackScript = {
  stage: string;
  /** Sessions issued, and whether each was completed (through the page or `complete`). */
  sessions: Map<string, boolean>;
  /** Complete a session without the page (a user who finished it in a tab with no opener). */
  complete(session: string): void;
  /** Upload bodies accepted with UIA. */
  accepted: RecordedRequest[];
  /** When each session was completed. */
  completedAt: Map<string, number>;
};

/** A one-stage fallback flow (default `m.login.terms`) on device_signing/upload. */
export function fallbackUia(hs: ScriptedHomeserver, account: StandInAccount, opts: { stage?: string } = {}): FallbackScript {
  const stage = opts.stage ?? 'm.login.terms';
  const script: FallbackScript = {
    stage, sessions: new Map(), accepted: [], completedAt: new Map(),
    complete(session) {
      if (!script.sessions.has(session)) throw new Error(`stand-in: unknown session ${session}`);
      script.sessions.set(session, true);
      script.completedAt.set(session, Date.now());
    },
  };
  // Synapse's terms params (`_auth_dict_for_flows`); other stages get `{}`.
  const params = stage === 'm.login.terms'
    ? { [stage]: { policies: { privacy_policy: { version: '1.0', en: { name: 'Privacy Policy', url: `${hs.baseUrl}/privacy.html` } } } } }
    : {};
  hs.route('POST', UPLOAD_PATH, ({ req, res }) => {
    if (!authorised({ req, res, params: [], hs }, account)) return;
    const body = req.json as Record<string, unknown>;
    if (!hasDifferentKeys(account, body)) return sendJson(res, 200, {});
    const auth = body['auth'] as { session?: unknown } | undefined;
    const session = typeof auth?.session === 'string' ? auth.session : undefined;
    if (session !== undefined && script.sessions.get(session) === true) {
      script.accepted.push(req);
      publishUpload(account, body);
      return sendJson(res, 200, {});
    }
    const id = session !== undefined && script.sessions.has(session) ? session : randomBytes(12).toString('base64url');
    if (!script.sessions.has(id)) script.sessions.set(id, false);
    // docs/matrix-api.md#uia-challenge: the challenge; `completed` stays empty until the page was completed.
    sendJson(res, 401, { session: id, flows: [{ stages: [stage] }], params, completed: [] });
  });
  const pagePath = `/_matrix/client/v3/auth/${stage}/fallback/web`;
  hs.route('GET', pagePath, ({ req, res }) => {
    const session = req.query.get('session') ?? '';
    if (!script.sessions.has(session)) return sendJson(res, 400, { errcode: 'M_UNRECOGNIZED', error: 'Unknown session' });
    // Like Synapse's terms page: a form posting back to the same URL.
    sendHtml(res, 200, `<!doctype html><html><head><title>Authentication</title></head><body>
<p>Stand-in fallback page for ${stage} (session ${session}).</p>
<form method="post" action="${pagePath}"><input type="hidden" name="session" value="${session}">${OPENER_FIELD}
<button type="submit" data-testid="fallback-complete">Accept and continue</button></form>${PRESS_HOOK}</body></html>`);
  });
  hs.route('POST', pagePath, ({ req, res }) => {
    const session = new URLSearchParams(req.rawBody).get('session') ?? '';
    if (!script.sessions.has(session)) return sendJson(res, 400, { errcode: 'M_UNRECOGNIZED', error: 'Unknown session' });
    script.complete(session);
    sendHtml(res, 200, successPage('Thank you. You may now close this window and return to the application.'));
  });
  return script;
}

export type ApprovalScript = {
  /** params.url: the approval page, on the stand-in's OTHER origin (like MAS on its own host). */
  url: string;
  /** Approve (what MAS does through /_synapse/mas/allow_cross_signing_reset). */
  approve(): void;
  approvals: number;
  /** Replacements accepted; at most one per approval. */
  replacements: RecordedRequest[];
  /** Uploads answered with the 401. */
  challenges: number;
};

export const REPLACEMENT_PERIOD_MS = 10 * 60 * 1000;

export type ApprovalOptions = {
  now?: () => number;
  /** HOSTILE: the params url to send instead of the account-management page's. */
  url?: string;
  /** Serve auth_metadata advertising the account-management origin (default true, as Synapse + MAS). */
  advertise?: boolean;
  /** HOSTILE: a script the approval page runs as soon as it loads. */
  pageScript?: string;
};

/** Synapse under MAS (docs/matrix-api.md#uia-oauth), with both flows as from Synapse 1.146. */
export function masApprovalUia(hs: ScriptedHomeserver, account: StandInAccount, opts: ApprovalOptions = {}): ApprovalScript {
  const now = opts.now ?? Date.now;
  let updatableBefore = 0;
  const url = opts.url ?? `${hs.otherOrigin}/account/?action=org.matrix.cross_signing_reset`;
  if (opts.advertise !== false) {
    // What Synapse answers when it delegates to MAS: MAS's metadata (abridged to the fields a client reads).
    hs.route('GET', '/_matrix/client/v1/auth_metadata', ({ res }) => sendJson(res, 200, {
      issuer: `${hs.otherOrigin}/`,
      authorization_endpoint: `${hs.otherOrigin}/authorize`,
      token_endpoint: `${hs.otherOrigin}/oauth2/token`,
      account_management_uri: `${hs.otherOrigin}/account/`,
      account_management_actions_supported: ['org.matrix.profile', 'org.matrix.sessions_list', 'org.matrix.cross_signing_reset'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
    }));
  }
  const script: ApprovalScript = {
    url, approvals: 0, replacements: [], challenges: 0,
    approve() {
      script.approvals += 1;
      updatableBefore = now() + REPLACEMENT_PERIOD_MS;
    },
  };
  hs.route('POST', UPLOAD_PATH, ({ req, res }) => {
    if (!authorised({ req, res, params: [], hs }, account)) return;
    if (!hasDifferentKeys(account, req.json)) return sendJson(res, 200, {});
    if (now() < updatableBefore) {
      // The window lives on the master row being replaced: the new master has none (one per approval).
      updatableBefore = 0;
      script.replacements.push(req);
      publishUpload(account, req.json);
      return sendJson(res, 200, {});
    }
    script.challenges += 1;
    sendJson(res, 401, {
      session: 'dummy',
      flows: [{ stages: ['m.oauth'] }, { stages: ['org.matrix.cross_signing_reset'] }],
      params: { 'm.oauth': { url }, 'org.matrix.cross_signing_reset': { url } },
      msg: `To reset your end-to-end encryption cross-signing identity, you first need to approve it at ${url} and then try again.`,
    });
  });
  // Synapse ≥ 1.146 redirects both fallback pages to the approval URL.
  for (const stage of ['m.oauth', 'org.matrix.cross_signing_reset']) {
    hs.route('GET', `/_matrix/client/v3/auth/${stage}/fallback/web`, ({ res }) => {
      res.writeHead(302, { Location: url, 'Access-Control-Allow-Origin': '*' });
      res.end();
    });
  }
  hs.route('GET', '/account/', ({ res }) => sendHtml(res, 200, `<!doctype html><html><head><title>Reset identity</title></head><body>
<p>Stand-in account management: allow resetting your cross-signing identity?</p>
<form method="post" action="/account/approve">${OPENER_FIELD}<button type="submit" data-testid="approval-approve">Reset identity</button></form>${PRESS_HOOK}
${opts.pageScript === undefined ? '' : `<script>${opts.pageScript}</script>`}</body></html>`));
  hs.route('POST', '/account/approve', ({ res }) => {
    script.approve();
    // MAS's page signals completion too (docs/matrix-api.md#uia-oauth), although the spec defines none for m.oauth.
    sendHtml(res, 200, successPage('Approved. You may now close this window.'));
  });
  return script;
}

/**
 * `first` with `"auth":…` appended: what a byte-identical continuation of `first` looks like
 * (the client appends `auth` last, so the rest serialises exactly as before).
 */
export function continuationOf(first: string, auth: unknown): string {
  if (!first.endsWith('}')) throw new Error('not a JSON object body');
  return `${first.slice(0, -1)},"auth":${JSON.stringify(auth)}}`;
}
