/**
 * `xsign-doctor status`: inspect the session's own account and print the report.
 *
 *   xsign-doctor status --homeserver URL [--token T | --token-file F] [--account @you:server]
 *                       [--recovery-key K | --recovery-key-file F | --passphrase P | --passphrase-file F]
 *                       [--json | --diagnostic]
 *
 * Exit codes: 0 healthy, 1 problems found, 2 usage, key-input or connection errors (one line on
 * stderr). Secrets are read from XSIGN_TOKEN / XSIGN_RECOVERY_KEY / XSIGN_PASSPHRASE or from
 * files when the flags are not given (command lines are visible to other users in process lists).
 */
import { describeError } from './describe-error.ts';
import { nodeEd25519 } from './node-ed25519.ts';
import { warnIfUnproven } from './homeserver-warning.ts';
import {
  accountVerdict, createMatrixClient, diagnosticJson, inspectAccount, inspectUsers, isUserId, myKeysFromReport, verifiedInReport, type UsersReport, type FetchLike,
} from '../core/index.ts';
import { stateFilePath, VerifiedUsersState } from './state-file.ts';
import { STATUS_FLAGS, STATUS_SECRETS } from './status-flags.ts';
import type { Readable } from 'node:stream';
import { parseCommandArgs, UsageError } from './args.ts';
import { formatReport } from './format-report.ts';
import { resolveSecretFlags } from './secret-flags.ts';
import { jsonTerminalSafe, terminalSafe } from './terminal-safe.ts';

/** Everything the command touches outside itself, injected for tests. */
export interface StatusIo {
  env: Readonly<Record<string, string | undefined>>;
  fetch: FetchLike;
  out: (text: string) => void;
  err: (text: string) => void;
  /** For `generatedAt` in --diagnostic output. */
  now?: () => Date;
  /** Read by `--<secret>-file -`. */
  stdin?: Readable;
  readFile?: (path: string) => string;
}

const SECRETS = STATUS_SECRETS;
const FLAGS = STATUS_FLAGS;


/**
 * Run `status` with the arguments after the command name.
 *
 * @returns The exit code.
 * @throws {UsageError} On bad or missing flags (the caller prints the help and exits 2).
 */
export async function runStatus(argv: string[], io: StatusIo): Promise<number> {
  const flags = await resolveSecretFlags(parseCommandArgs('status', argv, FLAGS), SECRETS, {
    warn: io.err, ...(io.stdin ? { stdin: io.stdin } : {}), ...(io.readFile ? { readFile: io.readFile } : {}),
  });
  const homeserver = flags.homeserver;
  if (typeof homeserver !== 'string') throw new UsageError('--homeserver is required');
  const token = (flags.token as string | undefined) ?? io.env.XSIGN_TOKEN;
  if (!token) throw new UsageError('an access token is required: set XSIGN_TOKEN or pass --token-file');
  if (flags.json === true && flags.diagnostic === true) throw new UsageError('--json and --diagnostic cannot be combined');
  // An empty variable counts as unset (`XSIGN_RECOVERY_KEY= xsign-doctor status …`).
  const fromEnv = (name: string): string | undefined => io.env[name] || undefined;
  const recoveryKey = (flags['recovery-key'] as string | undefined) ?? (flags.passphrase === undefined ? fromEnv('XSIGN_RECOVERY_KEY') : undefined);
  const passphrase = (flags.passphrase as string | undefined) ?? (recoveryKey === undefined ? fromEnv('XSIGN_PASSPHRASE') : undefined);
  if (recoveryKey !== undefined && passphrase !== undefined) throw new UsageError('give either --recovery-key or --passphrase, not both');

  let client;
  try {
    client = createMatrixClient({ baseUrl: homeserver, accessToken: token, fetch: io.fetch });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  // With --account the user ID is known before whoami answers, so the account's reads (and the
  // people's) start beside it instead of after it, as the popup does with the user ID the page
  // stored (docs/design.md#early-status). Reads only, to the same homeserver; whoami still checks
  // the claim and nothing is printed for a user the token does not act as.
  const claimed = flags.account as string | undefined;
  if (claimed !== undefined && !isUserId(claimed)) throw new UsageError('--account must be a user ID (@user:server)');
  const abort = new AbortController();
  try {
    const whoami = client.whoami();
    const userId = claimed ?? (await whoami).user_id;
    const secret = { recoveryKey, passphrase };
    const ed = nodeEd25519(); // one key cache for the account's and the people's checks
    const inspection = inspectAccount(client, { userId, deviceId: whoami.then((me) => me.device_id), secret, signal: abort.signal, ed });
    inspection.catch(() => undefined); // handled below, after whoami's own error
    // Read-only, so the homeserver check (no token, another host) runs beside the inspection;
    // its warning still comes before the report, which is printed once both are done.
    const homeserverWarning = warnIfUnproven(userId, client.baseUrl, io.fetch, io.err);
    homeserverWarning.catch(() => undefined);
    // The people you verified count in the verdict (src/core/users/verdict.ts). Their three request
    // waves need nothing from the account's report but my keys, which are awaited last. A failure
    // to read them must not cost the account's report, which is then judged alone and says so.
    const memory = new VerifiedUsersState(stateFilePath(io.env, flags['state-file']), io.err);
    const account = { userId, homeserver: client.baseUrl };
    const myKeys = inspection.then((r) => (r.ok ? myKeysFromReport(r.value.report) : Promise.reject(new Error(r.error.message))));
    let usersError: string | undefined;
    const people: Promise<UsersReport | undefined> = inspectUsers(client, { userId, keys: myKeys }, {
      previouslyVerified: memory.previouslyVerified(account), signal: abort.signal, ed,
    }).catch((error: unknown) => {
      usersError = describeError(error) ?? (error instanceof Error ? error.message : String(error));
      return undefined;
    });
    const me = await whoami;
    if (me.user_id !== userId) {
      io.err(terminalSafe(`xsign-doctor: the access token acts as ${me.user_id}, not ${userId} (--account); nothing was inspected`));
      return 2;
    }
    const [, inspected] = await Promise.all([homeserverWarning, inspection]);
    if (!inspected.ok) {
      io.err(terminalSafe(`xsign-doctor: ${inspected.error.message}`));
      return 2;
    }
    const { state, report } = inspected.value;
    const users = await people;
    if (users !== undefined) memory.remember(account, verifiedInReport(users));
    const verdict = accountVerdict(report, users);
    if (flags.diagnostic === true) {
      // The users' counts per state belong in a bug report (never a user ID).
      const generatedAt = (io.now?.() ?? new Date()).toISOString();
      io.out(jsonTerminalSafe(diagnosticJson(report, state, { generatedAt, ...(users ? { users } : {}) })));
    } else if (flags.json === true) {
      const people = users === undefined ? { users: null, usersError } : { users: { counts: users.counts, discovery: users.discovery } };
      io.out(jsonTerminalSafe(JSON.stringify({ ...report, healthy: verdict.healthy, problems: verdict.problems, ...people }, null, 2)));
    } else {
      io.out(formatReport({ ...report, healthy: verdict.healthy }, client.baseUrl, verdict.problems, usersError));
    }
    return verdict.healthy ? 0 : 1;
  } catch (error) {
    const message = describeError(error);
    if (message === undefined) throw error;
    io.err(terminalSafe(`xsign-doctor: ${message.replace(/\s+/g, ' ')}`));
    return 2;
  } finally {
    abort.abort(); // whatever is still in flight after an early return
  }
}
