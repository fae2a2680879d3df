/** English of the core_ messages said in the area named in core-messages.ts (see there). */
/**
 * The export passphrase rule's words, again apart: the popup checks a passphrase as it is typed
 * (src/core/repair/export-passphrase.ts) and bundles these two, not the whole catalogue. A copy,
 * not a spread into RECOVERY_PLAN_MESSAGES, which the bundler would then have to keep whole;
 * the type below fails to compile when the two copies' English differ.
 */
export const EXPORT_PASSPHRASE_MESSAGES = {
  core_rp_passphrase_too_short: 'the passphrase must be at least $1 characters long',
  core_rp_passphrases_differ: 'the two passphrases differ',
} as const satisfies Record<string, string>;

export const RECOVERY_PLAN_MESSAGES = {
  // src/core/repair/plan-recovery.ts
  core_rp_description_needs_key_check: 'a new key description must carry its key check (iv and mac)',
  core_rp_secret_given_twice: '$1 is given twice',
  core_rp_step_describe_key: 'Describe the new secret-storage key $1 (with its key check)',
  core_rp_step_store_secret: 'Store $1 under the new key $2',
  core_rp_make_default_key: 'Make $1 the default secret-storage key',
  core_rp_note_save_recovery_key: 'The new recovery key is shown once, before anything is sent: save it now. Neither the doctor nor the server can show it again.',
  core_rp_note_previous_default_stays: 'The current default key $1 stays described and keeps what is stored under it; it is only no longer the default.',
  core_rp_plan_create_secret_storage: 'Set up secret storage with a new recovery key',
  core_rp_already_default_key: '$1 is already the default secret-storage key',
  core_rp_default_without_key_check: 'secret-storage key $1 has no key check (iv/mac) that your key matched, so apps could not tell a right recovery key from a wrong one: set up new secret storage instead',
  core_rp_note_nothing_else_changes: 'Nothing else changes: every key description and secret stays as it is.',
  core_rp_backup_key_not_stored_under_unsafe: '$1; the new backup key is not stored under it',
  core_rp_stored_master_not_published: 'the master key in secret storage is not the published master key',
  core_rp_backup_secret_under_other_key: '$1 is stored under key $2, which the recovery key given does not open, so it could not be kept aside',
  core_rp_backup_secret_under_other_keys: '$1 is stored under keys $2, which the recovery key given does not open, so it could not be kept aside',
  core_rp_note_backup_secret_unreadable: 'The value stored as $1 now does not decrypt with your recovery key (nobody can read it); it is replaced.',
  core_rp_step_keep_previous_backup_key: 'Keep the current backup key under $1',
  core_rp_note_previous_backup_key_kept: 'The current backup key stays readable with your recovery key as $1; it is never deleted.',
  core_rp_step_store_backup_key: 'Store the new backup key in secret storage (key $1)',
  core_rp_step_create_backup: 'Create the new key backup version (signed by your master key)',
  core_rp_note_old_backup_version_stays: 'Backup version $1 stays on the server with the keys it holds; new keys go to the new version.',
  core_rp_plan_reset_backup: 'Start a new key backup',
  core_rp_no_session_to_sign_out: 'no session to sign out',
  core_rp_device_id_empty: 'a device ID is empty',
  core_rp_this_session_needs_confirmation: '$1 is this session: signing it out ends this session too, so it needs a second confirmation',
  core_rp_note_sign_out_each: 'Each session is signed out and its keys deleted from the server; the server may ask for your password for each.',
  core_rp_note_this_session_last: 'This session ($1) is signed out last: its access token stops working, so nothing can be read with it afterwards.',
  core_rp_sign_out_session: 'Sign out session $1',
  core_rp_sign_out_this_session: 'Sign out session $1 (this session)',
  core_rp_plan_sign_out_sessions: 'Sign out $1 sessions',
  // src/core/repair/plan-recovery-builders.ts
  core_rp_given_key_not_base64_seed: 'the $1 key given is not the base64 of a 32-byte private key',
  core_rp_why_give_export_or_old_key: 'give the export file, or the old recovery key',
  core_rp_why_old_key_does_not_open: 'the old recovery key given does not open it (a wrong one?), and no file given holds it',
  core_rp_remark_private_key_not_stored: 'The $1 private key is not stored ($2).',
  core_rp_remark_given_private_key_not_stored: 'The $1 private key given is not stored: $2.',
  core_rp_remark_backup_key_not_held: "The key backup's key is not stored (the doctor does not hold it): run reset-backup afterwards for a backup your recovery key opens.",
  core_rp_no_secret_storage_key_described: 'no secret-storage key is described on this account',
  core_rp_reason_key_without_check: 'secret-storage key $1: it has no key check (iv/mac) to prove your key against',
  core_rp_key_matches_none: 'the recovery key or passphrase matches none of the secret-storage keys ($1)',
  core_rp_no_master_for_backup: 'there is no published master key to sign the new backup with: reset cross-signing first',
  core_rp_remark_previous_opens_no_version: 'The backup key stored now opens no current backup version (left by an earlier run?): it is kept as $1.',
  core_rp_remark_backup_signed_by_master: 'The new backup is signed by your master key; your apps add their own device signature when they next use it.',
  core_rp_remark_this_session_untrusted: 'This session ($1) cannot be trusted either, but it is only signed out with the second confirmation.',
  core_rp_no_untrusted_session: 'no session has keys that cannot be trusted (name the sessions to sign out)',
  core_rp_no_other_untrusted_session: 'no other session has keys that cannot be trusted (name the sessions to sign out)',
  core_rp_no_such_session: 'no such session on this account: $1',
  // src/core/repair/plan-backup.ts
  core_rp_plan_resign_backup: 'Sign the key backup with your master key',
  core_rp_step_resign_backup: 'Sign key backup version $1 with the master key',
  core_rp_note_stale_signatures_removed: 'Stale signatures removed: $1',
  // src/core/repair/plan-users.ts
  core_rp_plan_verify_user: 'Verify $1',
  core_rp_plan_reverify_users: 'Verify again the people your replaced user-signing key had verified',
  core_rp_step_sign_users: 'Sign the master key of $1 with your user-signing key',
  core_rp_note_verify_only_compared: 'Only verify someone whose key you compared with them over a channel you trust: your other sessions will trust them too.',
  core_rp_note_reverify_same_keys: 'Each master key signed here is the very key your replaced user-signing key had signed.',
  core_rp_step_keep_verified: 'Keep $1 verified: sign their master keys with the new user-signing key',
  // src/core/repair/export-passphrase.ts (also in EXPORT_PASSPHRASE_MESSAGES, word for word)
  core_rp_passphrase_too_short: 'the passphrase must be at least $1 characters long',
  core_rp_passphrases_differ: 'the two passphrases differ',
  // src/core/repair/export.ts
  core_rp_file_not_json: 'the file is not JSON',
  core_rp_file_not_export_v1: 'the file is not a Cross-Signing Doctor key export (version 1)',
  core_rp_file_no_valid_user_id: 'the file has no valid user_id',
  core_rp_export_entry_malformed: 'the $1 entry is malformed',
  core_rp_export_seed_mismatch: 'the $1 seed does not match its public key',
  core_rp_file_holds_no_key: 'the file holds no key',
  // src/core/repair/export-crypt.ts
  core_rp_wrong_passphrase: 'wrong passphrase, or the file was altered',
  core_rp_no_passphrase_given: 'no passphrase given',
  core_rp_iterations_out_of_range: 'iterations must be between $1 and $2',
  core_rp_export_not_json: 'the export is not JSON',
  core_rp_not_export_v1: 'not a version 1 export',
  core_rp_export_no_user_id: 'the export has no user_id',
  core_rp_export_holds_no_key: 'the export holds no key',
  core_rp_file_not_export_v2: 'the file is not an encrypted Cross-Signing Doctor key export (version 2)',
  core_rp_file_needs_passphrase: 'the file is encrypted: a passphrase is needed',
  core_rp_file_encryption_not: "the file's encryption is not $1",
  core_rp_file_derivation_not_pbkdf2: "the file's passphrase derivation is not m.pbkdf2",
  core_rp_file_salt_malformed: "the file's passphrase salt is malformed",
  core_rp_file_iterations_malformed: "the file's passphrase iteration count is malformed",
  core_rp_file_too_few_iterations: 'the file asks for only $1 passphrase iterations (at least $2 are required): it was not written by this tool, or it was altered',
  core_rp_file_too_many_iterations: 'the file asks for $1 passphrase iterations (at most $2 are allowed)',
  core_rp_file_key_length: "the file's derived key length must be $1 bits",
  core_rp_file_no_secrets_or_public_keys: 'the file has no secrets or no public_keys',
  core_rp_file_unknown_secret: 'the file holds an unknown secret $1',
  core_rp_file_no_public_key_for: 'the file has no public key for $1',
  core_rp_file_secret_malformed: 'the $1 secret is malformed, or the file was altered',
} as const satisfies Record<string, string>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustBeTrue<T extends true> = T;
/** Compiles only while EXPORT_PASSPHRASE_MESSAGES says what RECOVERY_PLAN_MESSAGES says, word for word. */
export type ExportPassphraseWordsAgree = MustBeTrue<Same<typeof EXPORT_PASSPHRASE_MESSAGES, Pick<typeof RECOVERY_PLAN_MESSAGES, keyof typeof EXPORT_PASSPHRASE_MESSAGES>>>;
