/**
 * The English of the root causes' headlines (causes.ts), one entry a cause in verdict order (root
 * causes first): a sentence, or a pair [for one, for more] — for no-identity [published, private
 * keys kept]. Each is a core_ins_cause_… message of CORE_MESSAGES (src/core/words/inspect-messages.ts
 * names them), so the popup says them again like any other. A file of their own, keyed by cause,
 * because the popup groups causes too (src/popup/components/verdict.tsx): it bundles these few
 * sentences, not say.ts's whole catalogue and no message id (popup.js has a size budget,
 * e2e/packages.test.ts).
 */
import type { CauseId } from './causes.ts';

export const CAUSE_HEADLINES = {
  'no-identity': ['No cross-signing identity is published', 'No cross-signing identity is published, but secret storage still holds its private keys'],
  'identity-broken': 'The published master key cannot be used',
  'subkeys-broken': ['A cross-signing subkey is missing, malformed or not signed by the master key', 'The cross-signing subkeys are missing, malformed or not signed by the master key'],
  'no-secret-storage': 'Secret storage is not set up: the private keys are kept nowhere on the server',
  'no-default-key': 'Secret storage has no usable default key',
  'wrong-recovery-key': 'The recovery key or passphrase given is not the one of secret storage',
  'secrets-lost': ['$1 private key in secret storage is lost or no longer matches what is published ($2)', '$1 private keys in secret storage are lost or no longer match what is published ($2)'],
  'secrets-elsewhere': ['$1 secret is stored only under another secret-storage key', '$1 secrets are stored only under another secret-storage key'],
  'sessions-old-signature': ['Your cross-signing keys were replaced; $1 session still carries the old signature', 'Your cross-signing keys were replaced; $1 sessions still carry the old signature'],
  'sessions-unsigned': ['$1 session is not cross-signed', '$1 sessions are not cross-signed'],
  'sessions-untrustworthy': ['$1 session has keys that cannot be trusted', '$1 sessions have keys that cannot be trusted'],
  'backup-untrusted': 'The key backup is not signed by your master key',
  'backup-key-lost': 'The key backup\'s private key is missing from secret storage or does not match it',
  'partial-read': ['Part of the account could not be read ($1 entry); the report is incomplete', 'Part of the account could not be read ($1 entries); the report is incomplete'],
  // The users report's problems (`users-*`) where a verdict lists them beside the account's: one is its own sentence.
  'people-verified': '$1 problems with the people you verified',
} as const satisfies Record<CauseId, string | readonly [string, string]>;
