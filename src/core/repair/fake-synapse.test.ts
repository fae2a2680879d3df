/**
 * Test helper, not a test: a real node:http server (fake-homeserver.test.ts) scripted as a
 * stand-in for Synapse (and, in the `mas` modes, for Synapse delegating to MAS), answering with
 * the exact shapes of docs/matrix-api.md#synapse-upload-uia, docs/matrix-api.md#synapse-uia, docs/matrix-api.md#uia-oauth, docs/matrix-api.md#signatures-upload. Registers no tests.
 */
import { isDeepStrictEqual } from 'node:util';
import { decodeBase64 } from '../base64.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver, type RecordedRequest } from '../matrix/fake-homeserver.test.ts';
import { verifyJsonSignature } from '../signing.ts';

export const TOKEN = 'syt_YWxpY2U_sEcReTtOkEnXYZ_1a2b3c';
export const ALICE = '@alice:example.org';
export const PASSWORD = 'correct horse battery staple';
export const SESSION = 'KrPcNFhCrVpDwFwjfnpMTwvX';
const KEY_FIELDS = ['master_key', 'self_signing_key', 'user_signing_key'] as const;

export type UiaMode = 'password' | 'dummy' | 'sso' | 'mas' | 'mas-legacy';

export interface ScriptedSynapse {
  hs: FakeHomeserver;
  url: string;
  /** Keys as stored by device_signing/upload (the bare uploaded objects). */
  stored: Partial<Record<(typeof KEY_FIELDS)[number], unknown>>;
  accountData: Map<string, unknown>;
  backups: Map<string, unknown>;
  mode: UiaMode;
  /** 429 the next N device_signing uploads that carry `auth`, and the next N account-data PUTs. */
  rateLimit: { upload: number; accountData: number; retryAfterMs: number };
  /** Set by the test when the fallback page "completed" the SSO stage. */
  ssoCompleted: boolean;
  /** Set by the test when the user approved the reset in MAS (opens the 10-minute window). */
  masApproved: boolean;
  /** Store the next accepted upload, then drop the connection without answering. */
  loseNextSuccess: boolean;
  /** Drop the connection of the next N device_signing uploads without processing them. */
  dropUploads: number;
  /** Device IDs signatures/upload does not know (404 "Unknown device"). */
  unknownDevices: Set<string>;
  uploads(): RecordedRequest[];
  close(): Promise<void>;
}

const masUrl = 'https://account.example.org/account/?action=org.matrix.cross_signing_reset';

export async function startScriptedSynapse(mode: UiaMode = 'password'): Promise<ScriptedSynapse> {
  const hs = await startFakeHomeserver();
  const s: ScriptedSynapse = {
    hs, url: hs.url, stored: {}, accountData: new Map(), backups: new Map(), mode,
    rateLimit: { upload: 0, accountData: 0, retryAfterMs: 50 }, ssoCompleted: false, masApproved: false,
    loseNextSuccess: false, dropUploads: 0, unknownDevices: new Set(),
    uploads: () => hs.requests.filter((r) => r.path.endsWith('/keys/device_signing/upload')),
    close: () => hs.close(),
  };
  const challenge = (extra: Record<string, unknown> = {}) => {
    const stage = s.mode === 'password' ? 'm.login.password' : s.mode === 'dummy' ? 'm.login.dummy' : 'm.login.sso';
    return { session: SESSION, flows: [{ stages: [stage] }], params: {}, ...extra };
  };
  const masBody = () => ({
    session: 'dummy',
    flows: s.mode === 'mas' ? [{ stages: ['m.oauth'] }, { stages: ['org.matrix.cross_signing_reset'] }] : [{ stages: ['org.matrix.cross_signing_reset'] }],
    params: s.mode === 'mas'
      ? { 'm.oauth': { url: masUrl }, 'org.matrix.cross_signing_reset': { url: masUrl } }
      : { 'org.matrix.cross_signing_reset': { url: masUrl } },
    msg: `To reset your end-to-end encryption cross-signing identity, you first need to approve it at ${masUrl} and then try again.`,
  });

  hs.handle((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' });
    const body = req.body === '' ? {} : JSON.parse(req.body) as Record<string, unknown>;
    const path = req.path;
    const limited = () => sendJson(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: s.rateLimit.retryAfterMs });

    if (req.method === 'POST' && path === '/_matrix/client/v3/keys/device_signing/upload') {
      if (s.dropUploads > 0) {
        s.dropUploads -= 1;
        res.destroy();
        return;
      }
      const { auth, ...keys } = body as { auth?: Record<string, unknown> } & Record<string, unknown>;
      const accept = () => {
        for (const field of KEY_FIELDS) if (keys[field] !== undefined) s.stored[field] = keys[field];
        if (s.loseNextSuccess) {
          s.loseNextSuccess = false;
          res.destroy();
          return;
        }
        sendJson(res, 200, {});
      };
      // has_different_keys (docs/matrix-api.md#synapse-upload-uia): whole-object comparison, signatures included.
      const different = KEY_FIELDS.some((f) => keys[f] !== undefined && !isDeepStrictEqual(keys[f], s.stored[f]));
      if (!different) return sendJson(res, 200, {});
      if (s.stored.master_key === undefined) return accept(); // MSC3967: first upload needs no UIA
      if (s.mode === 'mas' || s.mode === 'mas-legacy') {
        if (!s.masApproved) return sendJson(res, 401, masBody());
        s.masApproved = false; // one replacement per approval (docs/matrix-api.md#uia-oauth)
        return accept();
      }
      if (auth !== undefined && s.rateLimit.upload > 0) {
        s.rateLimit.upload -= 1;
        return limited();
      }
      if (auth === undefined) return sendJson(res, 401, challenge());
      if (auth['session'] !== SESSION) return sendJson(res, 400, { errcode: 'M_UNKNOWN', error: 'Unknown session' });
      if (s.mode === 'password' && auth['type'] === 'm.login.password') {
        const id = auth['identifier'] as Record<string, unknown> | undefined;
        if (id?.['type'] === 'm.id.user' && id['user'] === ALICE && auth['password'] === PASSWORD) return accept();
        return sendJson(res, 401, challenge({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password' }));
      }
      if (s.mode === 'dummy' && auth['type'] === 'm.login.dummy') return accept();
      if (s.mode === 'sso' && s.ssoCompleted) return accept();
      return sendJson(res, 401, challenge());
    }
    const accountData = /^\/_matrix\/client\/v3\/user\/([^/]+)\/account_data\/([^/]+)$/.exec(path);
    if (req.method === 'PUT' && accountData) {
      if (s.rateLimit.accountData > 0) {
        s.rateLimit.accountData -= 1;
        return limited();
      }
      s.accountData.set(decodeURIComponent(accountData[2]!), body);
      return sendJson(res, 200, {});
    }
    if (req.method === 'POST' && path === '/_matrix/client/v3/keys/signatures/upload') {
      void signaturesUpload(s, body).then((answer) => sendJson(res, 200, answer));
      return;
    }
    const backup = /^\/_matrix\/client\/v3\/room_keys\/version\/([^/]+)$/.exec(path);
    if (req.method === 'PUT' && backup) {
      s.backups.set(decodeURIComponent(backup[1]!), body);
      return sendJson(res, 200, {});
    }
    sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  });
  return s;
}

/** docs/matrix-api.md#signatures-upload: own devices must carry a valid signature by the stored SSK; failures as Synapse shapes them. */
async function signaturesUpload(s: ScriptedSynapse, body: Record<string, unknown>) {
  const failures: Record<string, Record<string, unknown>> = {};
  const ssk = s.stored.self_signing_key as { keys: Record<string, string> } | undefined;
  for (const [userId, perKey] of Object.entries(body)) {
    for (const [deviceId, device] of Object.entries(perKey as Record<string, unknown>)) {
      let failure: Record<string, unknown> | undefined;
      if (ssk === undefined) failure = { status: 404, errcode: 'M_NOT_FOUND', message: `No self_signing key found for ${userId}` };
      else if (s.unknownDevices.has(deviceId)) failure = { status: 404, errcode: 'M_NOT_FOUND', message: 'Unknown device' };
      else {
        const [keyId, pub] = Object.entries(ssk.keys)[0]!;
        const check = await verifyJsonSignature(device, userId, keyId, decodeBase64(pub), nobleEd25519);
        if (check !== 'valid') failure = { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Invalid signature' };
      }
      if (failure !== undefined) (failures[userId] ??= {})[deviceId] = failure;
    }
  }
  return { failures };
}
