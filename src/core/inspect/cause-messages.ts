/**
 * The English of the root causes' headlines (causes.ts), part of CORE_MESSAGES through
 * src/core/words/inspect-messages.ts. A file of their own because the popup groups causes too
 * (src/popup/components/verdict.tsx): it bundles these few messages, not the whole catalogue
 * that say.ts reads. The popup's core-words.ts says the same headlines again from their codes.
 */
export const CAUSE_MESSAGES = {
  core_ins_cause_no_identity_recoverable: 'No cross-signing identity is published, but secret storage still holds its private keys',
  core_ins_no_identity_published: 'No cross-signing identity is published',
  core_ins_cause_identity_broken: 'The published master key cannot be used',
  core_ins_cause_subkey_broken: 'A cross-signing subkey is missing, malformed or not signed by the master key',
  core_ins_cause_subkeys_broken: 'The cross-signing subkeys are missing, malformed or not signed by the master key',
  core_ins_cause_no_secret_storage: 'Secret storage is not set up: the private keys are kept nowhere on the server',
  core_ins_cause_no_default_key: 'Secret storage has no usable default key',
  core_ins_cause_wrong_recovery_key: 'The recovery key or passphrase given is not the one of secret storage',
  core_ins_cause_secrets_lost_one: '$1 private key in secret storage is lost or no longer matches what is published ($2)',
  core_ins_cause_secrets_lost_other: '$1 private keys in secret storage are lost or no longer match what is published ($2)',
  core_ins_cause_secrets_elsewhere_one: '$1 secret is stored only under another secret-storage key',
  core_ins_cause_secrets_elsewhere_other: '$1 secrets are stored only under another secret-storage key',
  core_ins_cause_old_signature_one: 'Your cross-signing keys were replaced; $1 session still carries the old signature',
  core_ins_cause_old_signature_other: 'Your cross-signing keys were replaced; $1 sessions still carry the old signature',
  core_ins_cause_unsigned_one: '$1 session is not cross-signed',
  core_ins_cause_unsigned_other: '$1 sessions are not cross-signed',
  core_ins_cause_untrustworthy_one: '$1 session has keys that cannot be trusted',
  core_ins_cause_untrustworthy_other: '$1 sessions have keys that cannot be trusted',
  core_ins_cause_backup_untrusted: 'The key backup is not signed by your master key',
  core_ins_cause_backup_key_lost: 'The key backup\'s private key is missing from secret storage or does not match it',
  core_ins_cause_partial_read_one: 'Part of the account could not be read ($1 entry); the report is incomplete',
  core_ins_cause_partial_read_other: 'Part of the account could not be read ($1 entries); the report is incomplete',
  core_ins_cause_people_problems: '$1 problems with the people you verified',
} as const satisfies Record<string, string>;
