/**
 * The names of the repairs users are offered: the `kind` of a RepairRequest (src/core/app/), the
 * `repair` a problem names (src/core/inspect/problems.ts), the popup's `data-kind`s and the CLI's
 * verbs map onto exactly these. A module of its own, with no imports, so the popup can list them
 * without pulling in validators or builders, and the inspector can name them without importing
 * the layer above it (docs/design.md#layers). `fix` is the composed plan of every cause's repair
 * (src/core/app/compose-fix.ts).
 */
export const REPAIR_KINDS = [
  'sign-devices', 'reset-cross-signing', 'regenerate-subkeys', 'resign-backup', 'store-secrets', 'upload-keys', 'manual-upload',
  'verify-user', 'reverify-users', 'create-secret-storage', 'set-default-key', 'reset-backup', 'sign-out-device', 'fix',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export const isRepairKind = (value: unknown): value is RepairKind => (REPAIR_KINDS as readonly unknown[]).includes(value);
