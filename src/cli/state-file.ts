/**
 * The CLI's memory of the people you verified (src/core/users/verified-memory.ts): a JSON file of
 * user IDs and master PUBLIC keys, per account, so `users` and `status` can say "their identity
 * changed since you verified them" after the homeserver forgot your signature. No secret is ever
 * written here (no token, no private key).
 *
 * Where: `--state-file F`, else XSIGN_STATE_FILE, else $XDG_STATE_HOME/xsign-doctor/verified-users.json,
 * else ~/.local/state/xsign-doctor/verified-users.json (XDG Base Directory: state data). Written
 * with mode 0600 in a 0700 directory, through a temporary file renamed over the old one.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  emptyVerifiedMemory, parseVerifiedMemory, previouslyVerified, rememberVerified, type MemoryAccount, type VerifiedKey, type VerifiedMemory,
} from '../core/index.ts';
import { terminalSafe } from './terminal-safe.ts';

export { STATE_FILE_FLAG } from './status-flags.ts';
export const STATE_FILE_NAME = 'verified-users.json';

/** The file to use, or null when none can be named (no HOME: the memory is then off). */
export function stateFilePath(env: Readonly<Record<string, string | undefined>>, flag?: string | boolean): string | null {
  if (typeof flag === 'string' && flag !== '') return flag;
  if (env.XSIGN_STATE_FILE) return env.XSIGN_STATE_FILE;
  // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
  if (env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/')) return join(env.XDG_STATE_HOME, 'xsign-doctor', STATE_FILE_NAME);
  if (env.HOME) return join(env.HOME, '.local', 'state', 'xsign-doctor', STATE_FILE_NAME);
  return null;
}

/** The remembered keys; an absent file is an empty memory, an unreadable one too (with a warning). */
export function loadMemory(path: string | null, warn: (text: string) => void): VerifiedMemory {
  if (path === null) return emptyVerifiedMemory();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(terminalSafe(`xsign-doctor: warning: cannot read the state file ${path}: ${(error as Error).message}`));
    return emptyVerifiedMemory();
  }
  try {
    return parseVerifiedMemory(JSON.parse(text));
  } catch {
    warn(terminalSafe(`xsign-doctor: warning: the state file ${path} is not JSON; it is ignored and will be rewritten`));
    return emptyVerifiedMemory();
  }
}

/** Write the memory (0600, atomically). A failure is a warning: the report stands without it. */
export function saveMemory(path: string, memory: VerifiedMemory, warn: (text: string) => void): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(memory)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600); // an existing temporary file keeps its mode through writeFileSync
    renameSync(temporary, path);
  } catch (error) {
    warn(terminalSafe(`xsign-doctor: warning: cannot write the state file ${path}: ${(error as Error).message}`));
  }
}

/** One command's use of the memory: read once, add what it saw verified, write only on a change. */
export class VerifiedUsersState {
  private memory: VerifiedMemory;
  constructor(private readonly path: string | null, private readonly warn: (text: string) => void) {
    this.memory = loadMemory(path, warn);
  }

  previouslyVerified(account: MemoryAccount): Map<string, string> {
    return previouslyVerified(this.memory, account);
  }

  remember(account: MemoryAccount, verified: readonly VerifiedKey[]): void {
    const next = rememberVerified(this.memory, account, verified);
    this.memory = next.memory;
    if (next.changed && this.path !== null) saveMemory(this.path, next.memory, this.warn);
  }
}
