/**
 * The three cross-signing keys and every name each one goes by, in ONE table that the inspector,
 * the repair engine, the popup and the CLI all read. Before this table the same mappings were
 * written out a dozen times (upload fields, secret names, labels, keys/query sections), and a
 * change to one copy silently disagreed with the others; src/core/roles.test.ts fails on a new copy.
 */
import type { CrossSigningKeyUsage } from './matrix/types.ts';

/**
 * Which of the three keys. Also the key of each role in the report's JSON `identity` object
 * (`identity.master` / `identity.selfSigning` / `identity.userSigning`, a documented contract).
 */
export type KeyRole = 'master' | 'selfSigning' | 'userSigning';

export interface RoleInfo {
  /**
   * The key's `usage` (client-server API §Cross-signing). Also the report's `role` field, a
   * problem's `subject`, the `key-<usage>` data-testids and the export file's field names.
   */
  usage: CrossSigningKeyUsage;
  /** Its field in the body of `POST /_matrix/client/v3/keys/device_signing/upload`. */
  uploadField: 'master_key' | 'self_signing_key' | 'user_signing_key';
  /** Its section of the `POST /_matrix/client/v3/keys/query` response (the popup's raw view). */
  querySection: 'master_keys' | 'self_signing_keys' | 'user_signing_keys';
  /** The secret holding its private seed (client-server API §Storage of cross-signing private keys). */
  secretName: 'm.cross_signing.master' | 'm.cross_signing.self_signing' | 'm.cross_signing.user_signing';
  /** Its name for people, lower case ("self-signing"); also the stem of problem codes and step IDs. */
  name: 'master' | 'self-signing' | 'user-signing';
  /** `name` + " key", for sentences. */
  label: string;
}

export const ROLE = Object.freeze({
  master: Object.freeze({
    usage: 'master', uploadField: 'master_key', querySection: 'master_keys',
    secretName: 'm.cross_signing.master', name: 'master', label: 'master key',
  }),
  selfSigning: Object.freeze({
    usage: 'self_signing', uploadField: 'self_signing_key', querySection: 'self_signing_keys',
    secretName: 'm.cross_signing.self_signing', name: 'self-signing', label: 'self-signing key',
  }),
  userSigning: Object.freeze({
    usage: 'user_signing', uploadField: 'user_signing_key', querySection: 'user_signing_keys',
    secretName: 'm.cross_signing.user_signing', name: 'user-signing', label: 'user-signing key',
  }),
} as const) satisfies Readonly<Record<KeyRole, Readonly<RoleInfo>>>;

/** The roles in the order they are listed everywhere: master first. */
export const ROLES: readonly KeyRole[] = Object.freeze(['master', 'selfSigning', 'userSigning']);

/** A role's `name` or `label` at the start of a line or a heading: "Self-signing key". */
export const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
