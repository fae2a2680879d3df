/**
 * The CLI's repair verbs (kept as they were published: README, scripts). Each maps to a
 * RepairRequest kind in src/cli/repair.ts (VERBS); `upload` is either upload-keys or
 * manual-upload depending on whether key files are given.
 */
export const REPAIR_COMMANDS = ['reset', 'regenerate', 'sign-devices', 'store-secrets', 'resign-backup', 'upload'] as const;
export type RepairCommand = (typeof REPAIR_COMMANDS)[number];
