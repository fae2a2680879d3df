/**
 * The state × repair matrix as data (docs/interop.md#repair-matrix), shared by the CLI and popup
 * sides: each row is a broken account, the repairs the verdict suggests on it in order, and what
 * must be left once they ran (nothing, or problems no repair can fix). A new state or repair is
 * one more row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBase64, v3 } from '../../src/core/index.ts';
import { badSelfSignatureAccount, exportOnlyReset, privateDir } from './recovery-states.ts';
import { registerSecret } from './secrets-registry.ts';
import {
  buildAccount, clientFor, generateCrossSigningKeys, keyDescriptionType, setupSecretStorage, storeSecrets,
  type CrossSigningKeys, type FixtureAccount, type FixtureState,
} from './identity.ts';
import type { SynapseInfo } from './test-synapse.ts';

/** A broken account and what its person holds. */
export interface BrokenAccount {
  account: FixtureAccount;
  /** The recovery key of the default secret-storage key (what the person types). */
  recoveryKey?: string;
  /** The recovery key of another secret-storage key the person also holds (store-secrets' source). */
  otherRecoveryKey?: string;
  /** Cross-signing keys the person holds outside the account (manual upload). */
  ownKeys?: CrossSigningKeys;
  /** A Cross-Signing Doctor export file the person holds (an export-only reset's). */
  exportFile?: string;
  /** Where setup-secret-storage writes the new recovery key (--recovery-key-out). */
  recoveryKeyOut?: string;
  /** Sessions a repair signs out: the judge no longer asks about them afterwards. */
  signedOut?: string[];
}

export interface RepairStep {
  /** The repair as the status names it (`problems[].repair`); the CLI accepts it as a verb. */
  repair: string;
  /** Extra CLI arguments this step needs from the person (beyond homeserver, --yes, --password-stdin). */
  args?: (broken: BrokenAccount) => string[];
  /** Extra environment (secrets the person gives) for the CLI. */
  env?: (broken: BrokenAccount) => Record<string, string>;
  /** What the person holds after the step (a new recovery key), or what is gone (signed-out sessions). */
  after?: (broken: BrokenAccount) => void;
}

export interface MatrixRow {
  /** The fixture state (or a state derived from one, named here). */
  state: string;
  build: (hs: SynapseInfo) => Promise<BrokenAccount>;
  /** The suggested repairs taken, in order; each must be among those the status JSON names at that point. */
  repairs: RepairStep[];
  /** Problem codes left once the repairs ran: only problems no repair fixes (none: healthy). */
  remaining?: string[];
  /**
   * Run in the popup too, in both browsers.
   */
  popup?: boolean;
  /**
   * In the popup, the problems show only once the person types the recovery key in "Check secrets"
   * (the stored keys are compared with the published ones then): the row does that first.
   */
  popupChecksSecrets?: boolean;
  /**
   * Why matrix-js-sdk already trusts everything BEFORE the repair, when it does: a row's "after"
   * verdict proves the repair only where the SDK saw the break.
   */
  sdkAcceptsBroken?: string;
}

const fixture = (state: FixtureState, opts: { devices?: number } = {}) => async (hs: SynapseInfo): Promise<BrokenAccount> => {
  const account = await buildAccount(hs, state, { devices: opts.devices ?? 2 });
  return {
    account,
    ...(account.secretStorage ? { recoveryKey: account.secretStorage.recoveryKey } : {}),
    ...(account.otherSecretStorage ? { otherRecoveryKey: account.otherSecretStorage.recoveryKey } : {}),
  };
};

/** secrets-missing, but the master's private key is still stored: only the subkeys' are lost. */
async function subkeySecretsMissing(hs: SynapseInfo): Promise<BrokenAccount> {
  const broken = await fixture('secrets-missing')(hs);
  const { account } = broken;
  await storeSecrets(account.user, { 'm.cross_signing.master': encodeBase64(account.crossSigning!.master.seed) }, [account.secretStorage!]);
  return broken;
}

/**
 * A reset stopped before its upload: secret storage holds three private keys nothing publishes,
 * the account publishes no cross-signing keys at all.
 */
async function keysOnlyInSecretStorage(hs: SynapseInfo): Promise<BrokenAccount> {
  const account = await buildAccount(hs, 'no-cross-signing', { devices: 2 });
  const keys = await generateCrossSigningKeys();
  account.secretStorage = await setupSecretStorage(account.user, { crossSigning: keys });
  account.crossSigning = keys;
  return { account, recoveryKey: account.secretStorage.recoveryKey };
}

/** No cross-signing keys, an empty secret storage, and keys the person made elsewhere (manual upload). */
export async function noCrossSigningWithOwnKeys(hs: SynapseInfo): Promise<BrokenAccount> {
  const account = await buildAccount(hs, 'no-cross-signing', { devices: 2 });
  account.secretStorage = await setupSecretStorage(account.user, {});
  return { account, recoveryKey: account.secretStorage.recoveryKey, ownKeys: await generateCrossSigningKeys() };
}

const fromOtherKey: RepairStep['env'] = (b) => ({ XSIGN_FROM_RECOVERY_KEY: b.otherRecoveryKey! });

const SDK_TRUSTS_DEVICE_SIGNED_BACKUP = 'the SDK trusts a backup signed by a cross-signed device of the account; the doctor wants the master signature, which survives that device being logged out';

/** The states a single `fix` brings to healthy: [name, build, why matrix-js-sdk trusts the broken account]. */
const FIX_STATES: readonly [string, MatrixRow['build'], string?][] = [
  ['devices-not-cross-signed', fixture('devices-not-cross-signed', { devices: 3 })],
  ['master-replaced', fixture('master-replaced')],
  ['secrets-missing', fixture('secrets-missing')],
  ['secrets-mismatch', fixture('secrets-mismatch')],
  ['backup-not-signed-by-master', fixture('backup-not-signed-by-master'), SDK_TRUSTS_DEVICE_SIGNED_BACKUP],
  ['secrets-missing (subkeys only)', subkeySecretsMissing],
  ['keys only in secret storage', keysOnlyInSecretStorage],
];

/**
 * create-secret-storage from the export file the person holds, else from the old secret storage
 * (the old recovery key); the new recovery key is what the person holds from then on.
 */
const setUpSecretStorage: RepairStep = {
  repair: 'create-secret-storage',
  args: (b) => {
    b.recoveryKeyOut = join(privateDir(), 'recovery-key.txt');
    return [...(b.exportFile === undefined ? [] : ['--from-export', b.exportFile]), '--recovery-key-out', b.recoveryKeyOut];
  },
  after: (b) => {
    b.recoveryKey = readFileSync(b.recoveryKeyOut!, 'utf8').trim();
    registerSecret('recovery-key', b.recoveryKey, 'a recovery key made by setup-secret-storage');
  },
};

/** The state an export-only reset leaves: cross-signing published, no secret storage, the keys in a file. */
async function noSecretStorageAfterExportReset(hs: SynapseInfo): Promise<BrokenAccount> {
  const { account, exportFile } = await exportOnlyReset(hs);
  return { account, exportFile };
}

/** A healthy account whose default key's description names an algorithm no client knows: the old recovery key still decrypts. */
async function defaultKeyUnsupported(hs: SynapseInfo): Promise<BrokenAccount> {
  const broken = await fixture('healthy')(hs);
  const { user } = broken.account;
  await clientFor(user).request('PUT', v3('user', user.userId, 'account_data', keyDescriptionType(broken.account.secretStorage!.keyId)), { body: { algorithm: 'org.example.unknown' } });
  return broken;
}

/** A healthy account plus a session whose own signature is wrong: signed out, not cross-signed. */
async function badSelfSignature(hs: SynapseInfo): Promise<BrokenAccount> {
  const { account, bad } = await badSelfSignatureAccount(hs);
  return { account, recoveryKey: account.secretStorage!.recoveryKey, signedOut: [bad.deviceId] };
}

/**
 * The one fix on a state whose causes include setting up secret storage: what the person gives
 * for the new storage as for create-secret-storage (the export file; the old recovery key from the
 * environment), the new recovery key what they hold afterwards.
 */
const fixSettingUpStorage: RepairStep = { ...setUpSecretStorage, repair: 'fix' };

/** sign-out-device as the status suggests it: the untrustworthy sessions; the judge forgets them afterwards. */
const signOutUntrusted: RepairStep = {
  repair: 'sign-out-device',
  after: (b) => { b.account.devices = b.account.devices.filter((d) => !(b.signedOut ?? []).includes(d.deviceId)); },
};

/**
 * The live rows: every broken fixture state whose suggested repairs exist on this branch, plus
 * derived states for the repairs no fixture state suggests (regenerate, upload). States whose
 * repair is not built yet are not rows (docs/interop.md#repair-matrix lists them as pending).
 */
export const MATRIX: readonly MatrixRow[] = [
  { state: 'devices-not-cross-signed', build: fixture('devices-not-cross-signed', { devices: 3 }), repairs: [{ repair: 'sign-devices' }], popup: true },
  { state: 'master-replaced', build: fixture('master-replaced'), repairs: [{ repair: 'sign-devices' }], popup: true },
  // The master's secret is lost: a reset (the subkeys' regeneration needs that master), after
  // which the other session still carries the old self-signing key's signature.
  { state: 'secrets-missing', build: fixture('secrets-missing'), repairs: [{ repair: 'reset-cross-signing' }, { repair: 'sign-devices' }], popup: true },
  { state: 'secrets-non-default-key', build: fixture('secrets-non-default-key'), repairs: [{ repair: 'store-secrets', env: fromOtherKey }], popup: true },
  { state: 'secrets-mismatch', build: fixture('secrets-mismatch'), repairs: [{ repair: 'reset-cross-signing' }, { repair: 'sign-devices' }], popup: true, popupChecksSecrets: true },
  {
    state: 'backup-not-signed-by-master', build: fixture('backup-not-signed-by-master'), repairs: [{ repair: 'resign-backup' }], popup: true,
    sdkAcceptsBroken: SDK_TRUSTS_DEVICE_SIGNED_BACKUP,
  },
  { state: 'secrets-missing (subkeys only)', build: subkeySecretsMissing, repairs: [{ repair: 'regenerate-subkeys' }], popup: true },
  { state: 'keys only in secret storage', build: keysOnlyInSecretStorage, repairs: [{ repair: 'upload-keys' }, { repair: 'sign-devices' }], popup: true },
  // The recovery repairs (docs/repairs.md).
  { state: 'no secret storage after an export-only reset', build: noSecretStorageAfterExportReset, repairs: [setUpSecretStorage, { repair: 'sign-devices' }], popup: true },
  { state: 'default-key-unsupported', build: defaultKeyUnsupported, repairs: [setUpSecretStorage], popup: true },
  { state: 'no-default-key', build: fixture('no-default-key'), repairs: [{ repair: 'set-default-key' }], popup: true },
  { state: 'backup-key-missing', build: fixture('backup-key-missing'), repairs: [{ repair: 'reset-backup' }], popup: true },
  { state: 'a session with a bad self-signature', build: badSelfSignature, repairs: [signOutUntrusted], popup: true },
  // The same states through the one composed fix (src/core/app/compose-fix.ts): one plan, at most
  // one password, healthy at once where the rows above take two repairs; in the popup too.
  // secrets-non-default-key
  // has no fix row: store-secrets needs the other key.
  ...FIX_STATES.map(([state, build, sdkAcceptsBroken]): MatrixRow => ({
    state: `${state} (fix)`, build, repairs: [{ repair: 'fix' }], popup: true, ...(state === 'secrets-mismatch' ? { popupChecksSecrets: true } : {}),
    ...(sdkAcceptsBroken === undefined ? {} : { sdkAcceptsBroken }),
  })),
  // The recovery states through the one fix: new secret storage first and the sessions signed with
  // the key stored under it; the default key set, or a new backup, in the same plan. The session
  // with a bad self-signature has no fix row: fix never signs sessions out (docs/design.md#composed-fix).
  // A new account (no identity, no secret storage): new secret storage, then a reset whose keys go under the NEW key.
  { state: 'no-cross-signing (fix)', build: fixture('no-cross-signing'), repairs: [fixSettingUpStorage], popup: true },
  { state: 'no secret storage after an export-only reset (fix)', build: noSecretStorageAfterExportReset, repairs: [fixSettingUpStorage], popup: true },
  { state: 'default-key-unsupported (fix)', build: defaultKeyUnsupported, repairs: [fixSettingUpStorage], popup: true },
  { state: 'no-default-key (fix)', build: fixture('no-default-key'), repairs: [{ repair: 'fix' }], popup: true },
  { state: 'backup-key-missing (fix)', build: fixture('backup-key-missing'), repairs: [{ repair: 'fix' }], popup: true },
];

/**
 * The rows to run: all, or those whose state contains one of the comma-separated XSIGN_MATRIX_ONLY
 * (e.g. `XSIGN_MATRIX_ONLY='(fix)'`), to run part of the matrix while working on it. Never set in CI.
 */
export const selectedRows = (rows: readonly MatrixRow[] = MATRIX): readonly MatrixRow[] => {
  const only = (process.env.XSIGN_MATRIX_ONLY ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return only.length === 0 ? rows : rows.filter((r) => only.some((o) => r.state.includes(o)));
};
