/**
 * The repairs the extension UI offers, in a module of its own so the popup can list them without
 * pulling the protocol's validators into its bundle.
 */
export const EXT_REPAIR_KINDS = ['sign-devices', 'reset-cross-signing', 'resign-backup', 'store-secrets', 'upload-keys'] as const;
export type ExtRepairKind = (typeof EXT_REPAIR_KINDS)[number];
