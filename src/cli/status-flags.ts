/**
 * `status`'s flags, in a module of their own so that the entry file can read them before the
 * rest of the CLI is loaded (src/cli/early-read.ts) without loading the core.
 */
import { secretFlagSpec, type SecretFlag } from './secret-flags.ts';

export const STATUS_SECRETS: readonly SecretFlag[] = ['token', 'recovery-key', 'passphrase'];
/** Where the people you verified are remembered (src/cli/state-file.ts), for every command that reads them. */
export const STATE_FILE_FLAG = { 'state-file': 'string' } as const;
export const STATUS_FLAGS = {
  homeserver: 'string', account: 'string', json: 'boolean', diagnostic: 'boolean', ...STATE_FILE_FLAG, ...secretFlagSpec(STATUS_SECRETS),
} as const;
