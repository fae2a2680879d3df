import type { RepairKind } from '../../core/repair/repair-kinds.ts';
import { t, type MessageId } from '../i18n.ts';

/** Each repair's name, as its toolbar button and its form's heading say it (the toolbar loads with the popup, the form lazily). */
const REPAIR_LABEL_IDS: Readonly<Record<RepairKind, MessageId>> = {
  'sign-devices': 'repair_sign_devices',
  'reset-cross-signing': 'repair_reset_cross_signing',
  'regenerate-subkeys': 'repair_regenerate_subkeys',
  'resign-backup': 'repair_resign_backup',
  'store-secrets': 'repair_store_secrets',
  'upload-keys': 'repair_upload_keys',
  'manual-upload': 'repair_manual_upload',
  'verify-user': 'repair_verify_user',
  'reverify-users': 'repair_reverify_users',
  'create-secret-storage': 'repair_create_secret_storage',
  'set-default-key': 'repair_set_default_key',
  'reset-backup': 'repair_reset_backup',
  'sign-out-device': 'repair_sign_out_device',
  fix: 'repair_fix',
};

/** A repair's name in the UI language. */
export const repairLabel = (kind: RepairKind): string => t(REPAIR_LABEL_IDS[kind]);
