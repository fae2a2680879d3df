/**
 * Wire types for the client-server endpoints the doctor uses. Field names are snake_case, as on
 * the wire. Everything here describes untrusted server data until it has been verified.
 * Secret-storage and key-backup shapes live in types-storage.ts and are re-exported here.
 */
export type * from './types-storage.ts';

/**
 * `{ <user_id>: { <key_id>: <unpadded base64 signature> } }`
 * @see https://spec.matrix.org/v1.18/appendices/#signing-json
 */
export type Signatures = Record<string, Record<string, string>>;

/** The `{}` that write endpoints answer with. */
export type EmptyResponse = Record<string, never>;

/** @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientversions */
export interface VersionsResponse {
  versions: string[];
  unstable_features?: Record<string, boolean>;
}

/** @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3accountwhoami */
export interface WhoamiResponse {
  user_id: string;
  device_id?: string;
  is_guest?: boolean;
}

/**
 * A device's identity keys, signed by the device (and by the self-signing key once
 * cross-signed). Kept exactly as received: the signatures cover these bytes.
 * @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysquery
 */
export interface DeviceKeys {
  user_id: string;
  device_id: string;
  algorithms: string[];
  /** `"ed25519:<device_id>"`, `"curve25519:<device_id>"` → unpadded base64 public key. */
  keys: Record<string, string>;
  signatures: Signatures;
  /** Added by the homeserver; not covered by signatures. */
  unsigned?: { device_display_name?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `master` | `self_signing` | `user_signing`; other strings are tolerated on the wire. */
export type CrossSigningKeyUsage = 'master' | 'self_signing' | 'user_signing';

/**
 * A cross-signing public key. Kept exactly as received.
 * @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysdevice_signingupload
 */
export interface CrossSigningKey {
  user_id: string;
  usage: string[];
  /** Exactly one `"ed25519:<pub>": "<pub>"` per the spec; the inspector checks that. */
  keys: Record<string, string>;
  signatures?: Signatures;
  [key: string]: unknown;
}

/** @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysquery */
export interface KeysQueryRequest {
  /** user ID → device IDs; `[]` means every device. */
  device_keys: Record<string, string[]>;
  /** Milliseconds to wait for remote servers. */
  timeout?: number;
}

/** @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysquery */
export interface KeysQueryResponse {
  /** server name → error details; unreachable servers only. */
  failures?: Record<string, Record<string, unknown>>;
  device_keys?: Record<string, Record<string, DeviceKeys>>;
  master_keys?: Record<string, CrossSigningKey>;
  self_signing_keys?: Record<string, CrossSigningKey>;
  /** Only for the requesting user. */
  user_signing_keys?: Record<string, CrossSigningKey>;
}

/**
 * The `auth` object of a UIA continuation (docs/matrix-api.md#uia-continue).
 * @see https://spec.matrix.org/v1.18/client-server-api/#user-interactive-authentication-api
 */
export interface AuthenticationData {
  /** May be omitted when reissuing a request completed out of band (fallback, `m.oauth`). */
  type?: string;
  session?: string;
  [key: string]: unknown;
}

/**
 * Every field is optional; send master, self-signing and user-signing keys together
 * (docs/matrix-api.md#synapse-upload-uia).
 * @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysdevice_signingupload
 */
export interface DeviceSigningUploadRequest {
  master_key?: CrossSigningKey;
  self_signing_key?: CrossSigningKey;
  user_signing_key?: CrossSigningKey;
  auth?: AuthenticationData;
}

/**
 * `{ <user_id>: { <device_id or unpadded base64 public key>: <signed object> } }`
 * @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keyssignaturesupload
 */
export type SignaturesUploadRequest = Record<string, Record<string, DeviceKeys | CrossSigningKey>>;

/**
 * One rejected signature. The spec says `{errcode, error}`; Synapse sends
 * `{status, errcode, message}` (docs/matrix-api.md#signatures-upload), so both texts are kept.
 */
export interface SignaturesUploadFailure {
  errcode: string;
  error?: string;
  message?: string;
  status?: number;
}

/** @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keyssignaturesupload */
export interface SignaturesUploadResponse {
  failures?: Record<string, Record<string, SignaturesUploadFailure>>;
}

/**
 * A parsed 401 UIA challenge (docs/matrix-api.md#uia-challenge). `flows` holds only well-formed entries;
 * `raw` is the body as received (Synapse adds e.g. `msg` under MAS, docs/matrix-api.md#uia-oauth).
 * @see https://spec.matrix.org/v1.18/client-server-api/#user-interactive-authentication-api
 */
export interface UiaChallenge {
  session?: string;
  flows: { stages: string[] }[];
  /** stage type → stage parameters, e.g. `m.oauth` → `{url}`. Untrusted. */
  params: Record<string, unknown>;
  completed: string[];
  /** Present when the previous stage attempt failed, e.g. `M_FORBIDDEN`. */
  errcode?: string;
  error?: string;
  raw: unknown;
}
