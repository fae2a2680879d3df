/**
 * `xsign-doctor users`: the people whose verification matters to me, one state each
 * (docs/matrix-api.md#user-verification).
 *
 *   xsign-doctor users --homeserver URL [--token T | --token-file F] [--user @x:y …] [--json] [--state-file F]
 *
 * Exit codes as `status`: 0 no problem, 1 problems found, 2 usage or connection errors.
 * My own keys come from the same keys/query as everybody's (my user ID is added to it).
 */
import { describeError } from './describe-error.ts';
import { warnIfUnproven } from './homeserver-warning.ts';
import { nodeEd25519 } from './node-ed25519.ts';
import {
  createMatrixClient, inspectUsers, isUserId, USER_STATE_LABELS,
  USER_STATE_NOTES, USER_STATES, type UsersReport, type FetchLike,
} from '../core/index.ts';
import type { Readable } from 'node:stream';
import { parseCommandArgs, UsageError } from './args.ts';
import { resolveSecretFlags, secretFlagSpec, type SecretFlag } from './secret-flags.ts';
import { jsonTerminalSafe, terminalSafe } from './terminal-safe.ts';
import { STATE_FILE_FLAG, stateFilePath, VerifiedUsersState } from './state-file.ts';
import { verifiedInReport } from '../core/index.ts';

export interface UsersIo {
  env: Readonly<Record<string, string | undefined>>;
  fetch: FetchLike;
  out: (text: string) => void;
  err: (text: string) => void;
  stdin?: Readable;
  readFile?: (path: string) => string;
}

const SECRETS: readonly SecretFlag[] = ['token'];
const FLAGS = { homeserver: 'string', json: 'boolean', ...STATE_FILE_FLAG, ...secretFlagSpec(SECRETS) } as const;

/** `--user` may repeat and take commas: pulled out before the one-value-per-flag parser. */
export function takeUserFlags(argv: readonly string[]): { users: string[]; rest: string[] } {
  const users: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let value: string | undefined;
    if (arg === '--user') value = argv[++i];
    else if (arg.startsWith('--user=')) value = arg.slice('--user='.length);
    else { rest.push(arg); continue; }
    if (value === undefined || value === '') throw new UsageError('--user needs a user ID (@user:server)');
    for (const id of value.split(',').map((v) => v.trim()).filter((v) => v !== '')) {
      if (!isUserId(id)) throw new UsageError(`--user: not a user ID (expected @user:server): ${JSON.stringify(id).slice(0, 80)}`);
      if (!users.includes(id)) users.push(id);
    }
  }
  return { users, rest };
}

/** The report as text, grouped by state; every line made terminal-safe (user IDs come from the server). */
export function formatUsers(report: UsersReport): string {
  const d = report.discovery;
  const lines = [
    `USERS of ${report.userId}: ${report.users.length} (${d.encryptedRooms} encrypted rooms, ${d.directPartners} direct partners, ${d.typed} typed)`,
    `  your user-signing key: ${report.userSigningKey ?? 'none usable (not published, or not signed by your master key)'}`,
  ];
  for (const state of USER_STATES) {
    const users = report.users.filter((u) => u.state === state);
    if (users.length === 0) continue;
    lines.push('', `${USER_STATE_LABELS[state].toUpperCase()} (${users.length})`);
    const note = USER_STATE_NOTES[state];
    if (note !== undefined) lines.push(`  ${note}`);
    for (const u of users) {
      lines.push(`  ${u.userId}`);
      if (u.fingerprint !== null) lines.push(`      master key: ${u.fingerprint}`);
      if (u.previousMasterKey !== undefined) lines.push(`      you verified: ${u.previousMasterKey}`);
      if (u.note !== undefined) lines.push(`      ${u.note}`);
    }
  }
  lines.push('');
  if (report.problems.length === 0) lines.push('VERDICT: no problem');
  else {
    lines.push('PROBLEMS');
    for (const p of report.problems) lines.push(`  ✗ ${p.message}${p.repair === undefined ? '' : ` [repair: ${p.repair}]`}`);
  }
  return lines.map(terminalSafe).join('\n');
}


/**
 * Run `users` with the arguments after the command name.
 * @throws {UsageError} On bad or missing flags.
 */
export async function runUsers(argv: string[], io: UsersIo): Promise<number> {
  const { users, rest } = takeUserFlags(argv);
  const flags = await resolveSecretFlags(parseCommandArgs('users', rest, FLAGS), SECRETS, {
    warn: io.err, ...(io.stdin ? { stdin: io.stdin } : {}), ...(io.readFile ? { readFile: io.readFile } : {}),
  });
  const homeserver = flags.homeserver;
  if (typeof homeserver !== 'string') throw new UsageError('--homeserver is required');
  const token = (flags.token as string | undefined) ?? io.env.XSIGN_TOKEN;
  if (!token) throw new UsageError('an access token is required: set XSIGN_TOKEN or pass --token-file');
  let client;
  try {
    client = createMatrixClient({ baseUrl: homeserver, accessToken: token, fetch: io.fetch });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  try {
    const me = await client.whoami();
    // The master keys you were seen to verify, to tell "their identity changed" (src/cli/state-file.ts).
    const memory = new VerifiedUsersState(stateFilePath(io.env, flags['state-file']), io.err);
    const account = { userId: me.user_id, homeserver: client.baseUrl };
    // Read-only: the homeserver check runs beside the report, whose output waits for both.
    const [, report] = await Promise.all([
      warnIfUnproven(me.user_id, client.baseUrl, io.fetch, io.err),
      inspectUsers(client, { userId: me.user_id }, { extraUserIds: users, previouslyVerified: memory.previouslyVerified(account), ed: nodeEd25519() }),
    ]);
    memory.remember(account, verifiedInReport(report));
    io.out(flags.json === true ? jsonTerminalSafe(JSON.stringify(report, null, 2)) : formatUsers(report));
    return report.problems.length === 0 ? 0 : 1;
  } catch (error) {
    const message = describeError(error);
    if (message === undefined) throw error;
    io.err(terminalSafe(`xsign-doctor: ${message.replace(/\s+/g, ' ')}`));
    return 2;
  }
}
