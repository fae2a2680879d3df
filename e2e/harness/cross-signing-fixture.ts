// Cross-signing keys for identity fixtures: generate master / self-signing / user-signing keys and
// upload all three in ONE device_signing/upload, doing password UIA when Synapse asks for it
// (always for a replacement since Synapse 1.110, never for a first upload; docs/matrix-api.md#synapse-upload-uia).
import { signJson, UiaRequiredError, v3, type Ed25519, type wire } from '../../src/core/index.ts';
import { clientFor, fixtureEd25519, generateKeyPair, type CrossSigningKeys, type KeyPair, type Session } from './fixture-common.ts';

/** Three fresh random key pairs. */
export async function generateCrossSigningKeys(ed?: Ed25519): Promise<CrossSigningKeys> {
  const backend = ed ?? (await fixtureEd25519());
  const [master, selfSigning, userSigning] = await Promise.all([
    generateKeyPair(backend), generateKeyPair(backend), generateKeyPair(backend),
  ]);
  return { master: master!, selfSigning: selfSigning!, userSigning: userSigning! };
}

/** The bare public key object `{user_id, usage:[usage], keys:{"ed25519:<pub>": pub}}`. */
export function crossSigningKeyObject(userId: string, usage: wire.CrossSigningKeyUsage, key: KeyPair): wire.CrossSigningKey {
  return { user_id: userId, usage: [usage], keys: { [`ed25519:${key.publicKey}`]: key.publicKey } };
}

/**
 * The device_signing/upload body: the bare master, and the SSK and USK each signed by the master
 * at `signatures[user]["ed25519:<master pub>"]`. Deterministic for given keys (ed25519 signatures
 * are), so a rebuilt body is byte-identical to an earlier one.
 */
export async function crossSigningUploadBody(
  userId: string,
  keys: CrossSigningKeys,
  ed?: Ed25519,
): Promise<Required<Omit<wire.DeviceSigningUploadRequest, 'auth'>>> {
  const backend = ed ?? (await fixtureEd25519());
  const signer = { entity: userId, keyId: `ed25519:${keys.master.publicKey}`, seed: keys.master.seed };
  return {
    master_key: crossSigningKeyObject(userId, 'master', keys.master),
    self_signing_key: await signJson(crossSigningKeyObject(userId, 'self_signing', keys.selfSigning), signer, backend),
    user_signing_key: await signJson(crossSigningKeyObject(userId, 'user_signing', keys.userSigning), signer, backend),
  };
}

export type UploadCrossSigningResult = {
  /** Whether the server demanded UIA (a 401 challenge) before accepting the keys. */
  uia: boolean;
  /** The flows of that challenge, if any. */
  flows?: { stages: string[] }[];
};

/**
 * Publish all three keys in one request. On a 401 UIA challenge, resend the FULL same body plus
 * `auth: {type: 'm.login.password', identifier: {type: 'm.id.user', user}, password, session}`
 * (a continuation with only `auth` would be a silent no-op on Synapse, docs/matrix-api.md#synapse-upload-uia).
 * @throws UiaRequiredError if UIA is needed and no password is known, or the password stage fails.
 */
export async function uploadCrossSigningKeys(
  session: Session & { password?: string },
  keys: CrossSigningKeys,
  opts: { ed?: Ed25519; password?: string } = {},
): Promise<UploadCrossSigningResult> {
  const body = await crossSigningUploadBody(session.userId, keys, opts.ed);
  const client = clientFor(session);
  try {
    await client.request('POST', v3('keys', 'device_signing', 'upload'), { body });
    return { uia: false };
  } catch (error) {
    if (!(error instanceof UiaRequiredError)) throw error;
    const password = opts.password ?? session.password;
    const hasPasswordFlow = error.challenge.flows.some((f) => f.stages.length === 1 && f.stages[0] === 'm.login.password');
    if (password === undefined || !hasPasswordFlow) throw error;
    await client.request('POST', v3('keys', 'device_signing', 'upload'), { body: {
      ...body,
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: session.userId },
        password,
        ...(error.challenge.session === undefined ? {} : { session: error.challenge.session }),
      },
    } });
    return { uia: true, flows: error.challenge.flows };
  }
}
