/**
 * The repairs the extension UI offers, in a module of its own so the popup can list them without
 * pulling the protocol's validators into its bundle.
 */
export const EXT_REPAIR_KINDS = [
  'sign-devices', 'reset-cross-signing', 'regenerate-subkeys', 'resign-backup', 'store-secrets', 'upload-keys', 'manual-upload',
] as const;
export type ExtRepairKind = (typeof EXT_REPAIR_KINDS)[number];
