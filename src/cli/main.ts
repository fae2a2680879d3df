/**
 * xsign-doctor's dispatcher, on the same core as the extension: picks the command, prints its
 * usage on `--help`, and owns the output sinks. Everything printed passes through
 * {@link terminalSafeLines}, so no server- or account-derived text reaches the terminal raw even
 * where a command forgot to format it.
 *
 * Exit codes: 0 success/healthy, 1 problems found or repair incomplete, 2 usage or connection errors.
 */
import { createMatrixClient, MatrixApiError, type FetchLike } from '../core/index.ts';
import { parseCommandArgs, UsageError } from './args.ts';
import type { TerminalInput } from './prompt.ts';
import { runRepair } from './repair.ts';
import { resolveSecretFlags, secretFlagSpec } from './secret-flags.ts';
import { runStatus } from './status.ts';
import { runUsers } from './users.ts';
import { warnIfUnproven } from './homeserver-warning.ts';
import { terminalSafe, terminalSafeLines } from './terminal-safe.ts';
import { HELP, isCommand, USAGE, VERSION, type Command } from './usage.ts';
import { commandOf } from './repair-verbs.ts';

/** The process around the CLI, injected for tests. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  fetch: FetchLike;
  stdin: TerminalInput;
  /** Raw writes; the sinks below make the text terminal-safe first. */
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
  readFile?: (path: string) => string;
}

const USAGE_NAMES = Object.keys(USAGE).filter((c) => c !== 'whoami' && c !== 'status' && c !== 'users').join(', ');

interface Sinks {
  out: (text: string) => void;
  err: (text: string) => void;
  errRaw: (text: string) => void;
}

function sinks(io: CliIo): Sinks {
  return {
    out: (text) => io.writeOut(`${terminalSafeLines(text)}\n`),
    err: (text) => io.writeErr(`${terminalSafeLines(text)}\n`),
    errRaw: (text) => io.writeErr(terminalSafeLines(text)),
  };
}

async function whoami(argv: string[], io: CliIo, s: Sinks): Promise<number> {
  const parsed = parseCommandArgs('whoami', argv, { homeserver: 'string', ...secretFlagSpec(['token']) });
  const flags = await resolveSecretFlags(parsed, ['token'], { stdin: io.stdin, warn: s.err, ...(io.readFile ? { readFile: io.readFile } : {}) });
  const homeserver = flags.homeserver;
  const token = (flags.token as string | undefined) ?? (io.env.XSIGN_TOKEN || undefined);
  if (typeof homeserver !== 'string') throw new UsageError('--homeserver is required');
  if (!token) throw new UsageError('an access token is required: set XSIGN_TOKEN or pass --token-file');
  let client;
  try {
    client = createMatrixClient({ baseUrl: homeserver, accessToken: token, fetch: io.fetch });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const me = await client.whoami();
  s.out(`${terminalSafe(me.user_id)} ${me.device_id === undefined ? '(no device)' : terminalSafe(me.device_id)}`);
  await warnIfUnproven(me.user_id, client.baseUrl, io.fetch, s.err);
  return 0;
}

function dispatch(command: Command, rest: string[], io: CliIo, s: Sinks): Promise<number> {
  const base = { env: io.env, fetch: io.fetch, out: s.out, err: s.err, stdin: io.stdin, ...(io.readFile ? { readFile: io.readFile } : {}) };
  if (command === 'whoami') return whoami(rest, io, s);
  if (command === 'status') return runStatus(rest, base);
  if (command === 'users') return runUsers(rest, base);
  return runRepair(command, rest, { ...base, errRaw: s.errRaw });
}

/**
 * Run the CLI on `argv` (the arguments after the program name).
 * @returns The exit code; errors are printed, never thrown.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const s = sinks(io);
  // A repair's name as `status` prints it (reset-cross-signing, …) runs its verb (repair-verbs.ts).
  const [typed, ...args] = argv;
  const command = commandOf(typed);
  const rest = command === 'help' ? args.map((a, i) => (i === 0 ? commandOf(a) ?? a : a)) : args;
  if (command === '--version') return s.out(VERSION), 0;
  if (command === 'help' && isCommand(rest[0])) return s.out(USAGE[rest[0]]), 0;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === undefined) return s.err(HELP), 2;
    return s.out(HELP), 0;
  }
  if (!isCommand(command)) {
    // The first argument may be a secret pasted in the wrong place: it is not repeated.
    s.err(`xsign-doctor: unknown command (the first argument must be one of whoami, status, users, ${USAGE_NAMES}; see xsign-doctor --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) return s.out(USAGE[command]), 0;
  try {
    return await dispatch(command, rest, io, s);
  } catch (error) {
    if (error instanceof UsageError) s.err(`xsign-doctor: ${terminalSafe(error.message)}\n\n${USAGE[command]}`);
    else if (error instanceof MatrixApiError) s.err(`xsign-doctor: ${terminalSafe(error.message)}`);
    else s.err(`xsign-doctor: ${terminalSafe(error instanceof Error ? error.message : String(error))}`);
    return 2;
  }
}
