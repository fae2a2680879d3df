// What the inspector must report for each fixture state (a 2-device account), shared by the CLI
// and popup e2e tests so both surfaces are held to the same codes.
import type { FixtureState } from './identity.ts';

/** Expected problem codes without and with the recovery key, for a 2-device account. */
export const EXPECTED_PROBLEMS: Record<FixtureState, { without: string[]; with: string[] }> = {
  healthy: { without: [], with: [] },
  'no-cross-signing': { without: ['no-cross-signing', 'no-secret-storage'], with: ['no-cross-signing', 'no-secret-storage'] },
  'devices-not-cross-signed': { without: ['device-not-cross-signed'], with: ['device-not-cross-signed'] },
  'master-replaced': { without: ['device-signed-by-old-key', 'device-signed-by-old-key'], with: ['device-signed-by-old-key', 'device-signed-by-old-key'] },
  'secrets-missing': { without: ['secret-missing', 'secret-missing', 'secret-missing'], with: ['secret-missing', 'secret-missing', 'secret-missing'] },
  'secrets-non-default-key': {
    without: ['secret-not-under-default-key', 'secret-not-under-default-key', 'secret-not-under-default-key'],
    with: ['secret-not-under-default-key', 'secret-not-under-default-key', 'secret-not-under-default-key'],
  },
  'secrets-mismatch': { without: [], with: ['secret-mismatch', 'secret-mismatch', 'secret-mismatch'] },
  'no-default-key': { without: ['no-default-key'], with: ['no-default-key'] },
  'backup-key-missing': { without: ['backup-key-missing'], with: ['backup-key-missing'] },
  'backup-not-signed-by-master': { without: ['backup-not-signed-by-master'], with: ['backup-not-signed-by-master'] },
};

