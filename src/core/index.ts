/**
 * Public API of the pure core (no extension APIs, no DOM, no global fetch): one `export` block per
 * module, so new modules are added by appending a block.
 */

export { fail, isJsonObject, ok } from './result.ts';
export type { Result } from './result.ts';

export { canonicalJson, CanonicalJsonError, compareCodePoints } from './canonical-json.ts';

export { Base64Error, decodeBase64, encodeBase64, tryDecodeBase64 } from './base64.ts';

export { decodeRecoveryKey, encodeRecoveryKey, RecoveryKeyError } from './recovery-key.ts';
export type { RecoveryKeyErrorCode } from './recovery-key.ts';

export { detectEd25519, isAcceptablePublicKey, nobleEd25519, PUBLIC_KEY_CACHE_SIZE, webCryptoEd25519 } from './ed25519.ts';
export { lruMap, type LruMap } from './lru-map.ts';
export type { Ed25519 } from './ed25519.ts';

export { signingBytes, signJson, verifyJsonSignature } from './signing.ts';
export type { JsonSigner, SignatureCheck, Signatures } from './signing.ts';

export {
  calculateKeyCheck,
  checkSecretStorageKey,
  createSecretStorageKeyDescription,
  decryptSecret,
  deriveKeyFromPassphrase,
  encryptSecret,
  MIN_PBKDF2_ITERATIONS_TO_STORE,
  SECRET_STORAGE_ALGORITHM,
  SecretStorageError,
  verifyKeyCheck,
} from './secret-storage.ts';
export type {
  EncryptedSecret,
  KeyDescriptionOptions,
  PassphraseInfo,
  SecretStorageErrorCode,
  SecretStorageKeyDescription,
} from './secret-storage.ts';

export { curve25519PublicKey } from './curve25519.ts';

export { maskSecret } from './mask.ts';

export { array, bool, int, literal, object, optional, str } from './schema.ts';
export type { Infer, Validator } from './schema.ts';

export { createMatrixClient } from './matrix/client.ts';
export type { FetchLike, FetchLikeInit, FetchLikeReader, FetchLikeResponse } from './matrix/fetch-like.ts';
export type { CallOptions, MatrixClient, MatrixClientOptions, QueryKeysOptions, RawRequestOptions, RequestReport } from './matrix/client.ts';
export { v3 } from './matrix/url.ts';

export { ConnectionError, getRetryAfterMs, MatrixApiError, UiaRequiredError } from './matrix/errors.ts';
export {
  checkHomeserver, describeVerdict, discoverHomeserver, isInsecureBaseUrl, isLoopbackHost, isTrustedHomeserver,
  parseServerName, parseWellKnown, serverNameOf,
} from './matrix/discovery.ts';
export type { Discovery, DiscoverOptions, HomeserverVerdict, ServerName } from './matrix/discovery.ts';
export type { ConnectionErrorKind } from './matrix/errors.ts';

export * from './matrix/parse.ts';

/** Wire types of the client-server API, snake_case as on the wire. */
export type * as wire from './matrix/types.ts';

export {
  buildAccountState, DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, MAX_KEY_DESCRIPTIONS, MAX_KEY_ID_LENGTH,
  referencedKeyIds, SECRET_NAMES,
} from './inspect/account-state.ts';
export type {
  AccountState, KeyDescriptionRead, ParsedRead, RawReads, ReadFailure, ReadOutcome, SecretName, SecretRead, SkippedKeyId,
} from './inspect/account-state.ts';
export { fetchAccountState } from './inspect/fetch-state.ts';
export type { FetchStateOptions } from './inspect/fetch-state.ts';
export { buildReport, soleSecretKeyId } from './inspect/report.ts';
export type { BuildReportOptions } from './inspect/report.ts';
export { problem, PROBLEM_CODES, repairForRole } from './inspect/problems.ts';
export type { Problem, ProblemCode, Repair } from './inspect/problems.ts';
export { CAUSE_OF_CODE, causeOf, groupCauses, rankOf, REPAIR_RANK } from './inspect/causes.ts';
export type { Cause, CauseId } from './inspect/causes.ts';
export type {
  BackupReport, BackupSignature, CrossSigningKeyReport, DeviceReport, IdentityReport,
  MasterDeviceSignature, PassphraseReport, Report, SecretCheck, SecretReport, SecretStorageKeyReport,
  SecretStorageReport, SkippedEntry,
} from './inspect/report-types.ts';
export { diagnosticData, diagnosticJson, redactedReport } from './inspect/diagnostic.ts';
export { redactedRequestBody, redactEncryptedSecret } from './inspect/redaction.ts';
export type { DiagnosticReport, DiagnosticSource } from './inspect/diagnostic.ts';
export { deriveSecretStorageKey, MAX_PBKDF2_BITS, MAX_PBKDF2_ITERATIONS } from './inspect/secret-storage-key.ts';
export type { KeyInputError, KeyInputErrorCode, SecretStorageKeyInput } from './inspect/secret-storage-key.ts';
export { inspectAccount, targetKeyId } from './inspect/inspect-account.ts';
export type { InspectOptions } from './inspect/inspect-account.ts';
export { PlanMismatchError, RepairCancelledError, UiaFailedError } from './repair/errors.ts';
export type { CancelReason, PlanError, PlanErrorCode, UiaFailureCode } from './repair/errors.ts';

export {
  buildSubkeysForExistingMaster, crossSigningKeyFromSeed, generateCrossSigningKeys, publicKeyOf, seedMatches,
} from './repair/keys.ts';
export type {
  CrossSigningKeyPair, GeneratedCrossSigningKeys, RandomBytes, SubkeysForMaster,
} from './repair/keys.ts';
export { capitalized, ROLE, ROLES } from './roles.ts';
export type { KeyRole, RoleInfo } from './roles.ts';
export { checkCrossSigningKey } from './repair/key-shape.ts';
export type { KeyShapeProblem } from './repair/key-shape.ts';
export { validateManualUpload } from './repair/manual-upload.ts';
export type {
  ManualUploadInput, ManualUploadProblem, ManualUploadProblemCode, ValidatedManualUpload,
} from './repair/manual-upload.ts';
export { EXPORT_FORMAT, exportKeysFile, parseKeysExportFile } from './repair/export.ts';
export type { ExportedKey, ImportedKeys, KeysExportFile } from './repair/export.ts';
export {
  decryptKeysExport, encryptKeysExport, EXPORT_PBKDF2_ITERATIONS, exportFormOf, MIN_EXPORT_PBKDF2_ITERATIONS, readKeysExportFile, WRONG_PASSPHRASE,
} from './repair/export-crypt.ts';
export { exportPassphraseProblem, MIN_EXPORT_PASSPHRASE_LENGTH } from './repair/export-passphrase.ts';
export type { EncryptedKeysExportFile, EncryptExportOptions, ExportForm } from './repair/export-crypt.ts';
export { prepareSecretStorageKey, readSecret, readSeed, storeRefusal } from './repair/secrets.ts';
export type { CheckedSecretStorageKey, KeyProof } from './repair/secrets.ts';

export { runWithUia, withAuth } from './repair/uia.ts';
export type { UiaOptions } from './repair/uia.ts';
export { APPROVAL_STAGES, buildOffer, fallbackUrl, stageHandling } from './repair/uia-flows.ts';
export type {
  PasswordAttempt, StageHandling, UiaFlowOption, UiaOffer, UiaPrompter, UiaState,
} from './repair/uia-prompter.ts';
export type { RateLimitPolicy, Sleep } from './repair/wait.ts';

export { startProgress } from './repair/plans.ts';
export type {
  PlannedRequest, RepairKind, RepairPlan, RepairProgress, RepairStep, Safeguard, SignatureFailure, StepKind, StepResult,
} from './repair/plans.ts';
export { planRegenerateSubkeys, planResetCrossSigning } from './repair/plan-reset.ts';
export type { RegenerateInput, ResetInput } from './repair/plan-reset.ts';
export type { NewKeysSafeguard } from './repair/plan-new-keys.ts';
export { planCrossSignDevices } from './repair/plan-devices.ts';
export { KEEP_VERIFIED_STEP_ID, keepVerifiedStep, planSignUsers, SIGN_USERS_STEP_ID } from './repair/plan-users.ts';
export type { SignUsersInput, UserToSign } from './repair/plan-users.ts';
export { signMasterKeys } from './repair/user-signing.ts';
export type { CrossSignDevicesInput } from './repair/plan-devices.ts';
export { planReencryptSecrets, planStoreCrossSigningSecrets } from './repair/plan-secret-storage.ts';
export type { ReencryptInput, StoreSecretsInput } from './repair/plan-secret-storage.ts';
export { planResignBackup } from './repair/plan-backup.ts';
export type { ResignBackupInput } from './repair/plan-backup.ts';
export type { BackupTrust } from './repair/backup-signing.ts';
export { planManualUpload } from './repair/plan-manual.ts';
export { executePlan, planIntact } from './repair/execute.ts';
export type { ExecuteContext, RepairClient, RepairOutcome, StepEvent } from './repair/execute.ts';
export { planUploadKeysFromSeeds } from './repair/plan-upload-seeds.ts';
export type { UploadFromSeedsInput } from './repair/plan-upload-seeds.ts';
export { describeServerKeys } from './repair/server-state.ts';
export type { ServerKeys } from './repair/server-state.ts';

export { parseJsonText } from './json-text.ts';

export {
  buildUsersReport, classifyUser, fingerprintToKey, formatFingerprint, inspectUsers, isUserId, KEYS_QUERY_BATCH,
  myKeysFromKeysQuery, myKeysFromReport, USER_STATE_LABELS, USER_STATE_NOTES, USER_STATES,
  emptyVerifiedMemory, memoryAccountKey, parseVerifiedMemory, previouslyVerified, rememberVerified, verifiedInReport, accountVerdict,
} from './users/index.ts';
export type {
  InspectUsersOptions, MyKeys, SignatureDetail, UserSource, UserState, UsersAccount, UsersProblem, UsersProblemCode,
  UsersReport, UserVerification, MemoryAccount, VerifiedKey, VerifiedMemory, AccountVerdict, VerdictProblem,
} from './users/index.ts';
