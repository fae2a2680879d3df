/**
 * The CLI's repair verbs (kept as they were published: README, scripts). Each maps to a
 * RepairRequest kind in src/cli/repair.ts (VERBS); `upload` is either upload-keys or
 * manual-upload depending on whether key files are given.
 */
import type { RepairKind } from '../core/repair/repair-kinds.ts';

export const REPAIR_COMMANDS = [
  'reset', 'regenerate', 'sign-devices', 'store-secrets', 'resign-backup', 'upload', 'verify-user', 'reverify-users',
  'setup-secret-storage', 'set-default-key', 'reset-backup', 'sign-out-device', 'fix',
] as const;
export type RepairCommand = (typeof REPAIR_COMMANDS)[number];

/**
 * The repair names `status` prints (`[repair: …]`, the JSON's `repair`) that are not verbs
 * themselves: typed as a command, each runs its verb. manual-upload is no alias: it needs the key
 * files, and `upload` without them would do something else.
 */
export const VERB_OF_KIND: Readonly<Partial<Record<RepairKind, RepairCommand>>> = {
  'reset-cross-signing': 'reset', 'regenerate-subkeys': 'regenerate', 'upload-keys': 'upload', 'create-secret-storage': 'setup-secret-storage',
};

/** The command a typed first argument stands for (an alias resolved, anything else unchanged). */
export const commandOf = (word: string | undefined): string | undefined =>
  word !== undefined && Object.prototype.hasOwnProperty.call(VERB_OF_KIND, word) ? VERB_OF_KIND[word as RepairKind] : word;
