import type { RepairKind } from '../../core/repair/repair-kinds.ts';

/** Each repair's name, as its toolbar button and its form's heading say it (the toolbar loads with the popup, the form lazily). */
export const REPAIR_LABELS: Record<RepairKind, string> = {
  'sign-devices': 'Cross-sign devices',
  'reset-cross-signing': 'Reset cross-signing',
  'regenerate-subkeys': 'Replace the self-signing / user-signing key',
  'resign-backup': 'Re-sign the key backup',
  'store-secrets': 'Store secrets under the default key',
  'upload-keys': 'Upload keys from secret storage',
  'manual-upload': 'Upload keys by hand',
  'verify-user': 'Verify someone by hand',
  'reverify-users': 'Verify again after a reset',
  'create-secret-storage': 'Set up secret storage with a new recovery key',
  'set-default-key': 'Make an existing key the default',
  'reset-backup': 'Start a new key backup',
  'sign-out-device': 'Sign out sessions',
  fix: 'Fix everything',
};
