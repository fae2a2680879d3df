/**
 * The repair commands: `xsign-doctor fix | reset | sign-devices | store-secrets | resign-backup | upload | …`
 * (`fix`: the plan composed from every cause's repair, src/core/app/compose-fix.ts).
 *
 * Same flow for each: map the verb and flags to a RepairRequest (VERBS), prepare it with the core
 * (src/core/app/prepare-repair.ts: inspect, check the key, build the plan), print a preview of
 * the exact requests, confirm (unless --yes), write the export file if asked, run the plan with
 * the core executor (UIA on the terminal), then inspect again and print the verdict.
 *
 * Safety rules (as in the extension):
 * - The password is never an argument: it is asked on the terminal, or read from standard input
 *   with --password-stdin (one line per attempt).
 * - "Nothing lost": new keys are only uploaded once stored in secret storage (recovery key
 *   checked against its key description) or written to the --export file (mode 0600, O_EXCL).
 *
 * Exit codes: 0 success (or nothing to do), 1 the repair could not complete (the server state
 * is printed), 2 usage, key-input or connection errors.
 */
import { closeSync, constants, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import {
  causeOf, ConnectionError, createMatrixClient, groupCauses, decryptKeysExport, describeServerKeys, encryptKeysExport, executePlan, exportFormOf,
  exportPassphraseProblem, inspectAccount, MatrixApiError, redactedRequestBody, ROLE,
  type Ed25519, type KeyRole, type MatrixClient, type RepairPlan, type RepairProgress, type Report, type SecretStorageKeyInput, type SignatureFailure, type FetchLike,
} from '../core/index.ts';
import { precheckRepair, prepareRepair, type PreparedRepair } from '../core/app/prepare-repair.ts';
import { describeRefusal, type KeepVerified, type RepairRefusal, type RepairRequest, type Surface } from '../core/app/repair-request.ts';
import { describeOutcome, type RunEnd } from '../core/app/describe-outcome.ts';
import { verifiedByRun } from '../core/app/remember-verified.ts';
import { STATE_FILE_FLAG, stateFilePath, VerifiedUsersState } from './state-file.ts';
import { parseCommandArgs, UsageError, type FlagSpec } from './args.ts';
import { askExportPassphrase, askNewExportPassphrase, canAsk, PLAINTEXT_EXPORT_WARNING, readPassphraseFile } from './export-passphrase.ts';
import { resolveSecretFlags, secretFlagSpec, type SecretFlag } from './secret-flags.ts';
import { terminalSafe } from './terminal-safe.ts';
import { hostOf } from '../core/matrix/discovery.ts';
import { warnIfUnproven } from './homeserver-warning.ts';
import { nodeEd25519 } from './node-ed25519.ts';
import { cliUiaPrompter, createPrompts, NoTerminalError, type TerminalInput } from './prompt.ts';
import { REPAIR_COMMANDS, type RepairCommand } from './repair-verbs.ts';

export { REPAIR_COMMANDS, type RepairCommand };

export function isRepairCommand(command: string | undefined): command is RepairCommand {
  return (REPAIR_COMMANDS as readonly string[]).includes(command ?? '');
}

export interface RepairIo {
  env: Readonly<Record<string, string | undefined>>;
  fetch: FetchLike;
  /** Report lines (stdout). */
  out: (text: string) => void;
  /** Prompts, progress and errors (stderr). */
  err: (text: string) => void;
  errRaw: (text: string) => void;
  stdin: TerminalInput;
  /** Write the export file; default: O_CREAT|O_EXCL, mode 0600. */
  writeExport?: (path: string, text: string) => void;
  readFile?: (path: string) => string;
  /** UIA tuning for tests. */
  pollIntervalMs?: number;
}

const COMMON_SECRETS: readonly SecretFlag[] = ['token', 'recovery-key', 'passphrase'];
const FROM_SECRETS: readonly SecretFlag[] = ['from-recovery-key', 'from-passphrase'];
const COMMON: FlagSpec = {
  homeserver: 'string', 'password-stdin': 'boolean', yes: 'boolean', 'dry-run': 'boolean', ...STATE_FILE_FLAG, ...secretFlagSpec(COMMON_SECRETS),
};
/** upload's key files, per role (files, not arguments: command lines are public). */
const MANUAL_KEY_FLAGS = { 'master-key': 'master', 'self-signing-key': 'selfSigning', 'user-signing-key': 'userSigning' } as const satisfies Record<string, KeyRole>;

/** What the flags give besides themselves: the texts of the files they name, read before the server is asked anything. */
interface VerbInput {
  flags: Record<string, string | boolean>;
  /** store-secrets: the --from-recovery-key / --from-passphrase key, if given. */
  fromKey: SecretStorageKeyInput | undefined;
  /** store-secrets: the --from-export file's (decrypted) text. */
  fromExportText: string | undefined;
  /** upload: the key files' texts, per role. */
  manualKeys: Partial<Record<KeyRole, string>>;
  /** verify-user: the user ID argument. */
  userId?: string;
  /** setup-secret-storage: the --new-passphrase-file's first line. */
  newPassphrase?: string;
}

const USER_ID = /^@[^\s:]+:\S+$/;

/** --keep-verified all | none | @a:x,@b:y (absent or none: no one). */
function keepVerified(flags: Record<string, string | boolean>): { keepVerified?: KeepVerified } {
  const value = flags['keep-verified'];
  if (value === undefined || value === 'none') return {};
  if (value === 'all') return { keepVerified: 'all' };
  const ids = list(value) ?? [];
  const bad = ids.filter((id) => !USER_ID.test(id));
  if (ids.length === 0 || bad.length > 0) throw new UsageError('--keep-verified takes all, none, or user IDs separated by commas (@name:server,…)');
  return { keepVerified: ids };
}

const list = (flag: string | boolean | undefined): string[] | undefined =>
  typeof flag === 'string' ? flag.split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined;

/** --devices ID,ID: the sessions to cross-sign. */
function devices(flags: Record<string, string | boolean>): { deviceIds?: string[] } {
  const deviceIds = list(flags.devices);
  return deviceIds === undefined ? {} : { deviceIds };
}

/**
 * The verbs: each one's own flags and the RepairRequest it stands for. The only place the CLI
 * tells repairs apart; everything after the mapping is the core's (src/core/app/).
 */
const VERBS: Record<RepairCommand, {
  flags: FlagSpec;
  /** The one positional argument the verb takes: a user ID (public, so it may be an argument). */
  userArgument?: true;
  /** Secret flags of its own, beyond the token and the secret-storage key (read from files or stdin like them). */
  secrets?: readonly SecretFlag[];
  request: (input: VerbInput) => RepairRequest;
}> = {
  reset: {
    flags: { export: 'string', 'export-passphrase-file': 'string', 'export-plaintext': 'boolean', 'keep-verified': 'string', devices: 'string' },
    request: ({ flags }) => ({ kind: 'reset-cross-signing', ...(flags.export === undefined ? {} : { exportKeys: true }), ...keepVerified(flags), ...devices(flags) }),
  },
  regenerate: {
    flags: { export: 'string', 'export-passphrase-file': 'string', 'export-plaintext': 'boolean', 'self-signing': 'boolean', 'user-signing': 'boolean', 'keep-verified': 'string', devices: 'string' },
    request: ({ flags }) => {
      const only = { ss: flags['self-signing'] === true, us: flags['user-signing'] === true };
      const both = !only.ss && !only.us;
      return { kind: 'regenerate-subkeys', selfSigning: both || only.ss, userSigning: both || only.us, ...(flags.export === undefined ? {} : { exportKeys: true }), ...keepVerified(flags), ...devices(flags) };
    },
  },
  fix: {
    flags: {
      export: 'string', 'export-passphrase-file': 'string', 'export-plaintext': 'boolean', 'keep-verified': 'string', devices: 'string',
      // When the fix sets up secret storage: as for setup-secret-storage.
      'from-export': 'string', 'new-passphrase-file': 'string', 'recovery-key-out': 'string',
    },
    request: ({ flags, fromExportText, newPassphrase }) => ({
      kind: 'fix', ...(flags.export === undefined ? {} : { exportKeys: true }), ...keepVerified(flags), ...devices(flags),
      ...(newPassphrase === undefined ? {} : { newPassphrase }),
      ...(flags['from-export'] === undefined ? {} : { from: { exportText: fromExportText ?? '' } }),
    }),
  },
  'verify-user': {
    flags: { master: 'string' },
    userArgument: true,
    request: ({ flags, userId }) => ({ kind: 'verify-user', userId: userId ?? '', masterKey: typeof flags.master === 'string' ? flags.master : '' }),
  },
  'reverify-users': {
    flags: { users: 'string' },
    request: ({ flags }) => {
      const userIds = list(flags.users);
      return { kind: 'reverify-users', ...(userIds === undefined ? {} : { userIds }) };
    },
  },
  'sign-devices': {
    flags: { devices: 'string' },
    request: ({ flags }) => {
      const deviceIds = list(flags.devices);
      return { kind: 'sign-devices', ...(deviceIds === undefined ? {} : { deviceIds }) };
    },
  },
  'store-secrets': {
    flags: { 'from-export': 'string', 'export-passphrase-file': 'string', ...secretFlagSpec(FROM_SECRETS) },
    secrets: FROM_SECRETS,
    // Exactly one source; none or both is the missing-source refusal.
    request: ({ fromKey, fromExportText, flags }) => {
      const fromExport = flags['from-export'] !== undefined;
      if ((fromKey !== undefined) === fromExport) return { kind: 'store-secrets' };
      return { kind: 'store-secrets', from: fromKey !== undefined ? { key: fromKey } : { exportText: fromExportText ?? '' } };
    },
  },
  'resign-backup': { flags: {}, request: () => ({ kind: 'resign-backup' }) },
  'setup-secret-storage': {
    flags: {
      'from-export': 'string', 'export-passphrase-file': 'string', 'new-passphrase-file': 'string', 'recovery-key-out': 'string',
      'master-key': 'string', 'self-signing-key': 'string', 'user-signing-key': 'string',
    },
    request: ({ flags, fromExportText, newPassphrase, manualKeys }) => ({
      kind: 'create-secret-storage',
      ...(newPassphrase === undefined ? {} : { newPassphrase }),
      ...(Object.keys(manualKeys).length === 0 ? {} : { seeds: manualKeys }),
      // Before the file is read (the early check), an empty text stands for it.
      ...(flags['from-export'] === undefined ? {} : { from: { exportText: fromExportText ?? '' } }),
    }),
  },
  'set-default-key': { flags: {}, request: () => ({ kind: 'set-default-key' }) },
  'reset-backup': { flags: {}, request: () => ({ kind: 'reset-backup' }) },
  'sign-out-device': {
    flags: { devices: 'string', 'including-this-session': 'boolean' },
    request: ({ flags }) => {
      const deviceIds = list(flags.devices);
      return { kind: 'sign-out-device', ...(deviceIds === undefined ? {} : { deviceIds }), ...(flags['including-this-session'] === true ? { includingThisSession: true } : {}) };
    },
  },
  upload: {
    flags: { 'master-key': 'string', 'self-signing-key': 'string', 'user-signing-key': 'string' },
    // With key files: publish those (manual-upload); without: the keys in secret storage.
    request: ({ flags, manualKeys }) => (Object.values(MANUAL_KEY_FLAGS).some((role) => flags[roleFlag(role)] !== undefined)
      ? { kind: 'manual-upload', keys: manualKeys } : { kind: 'upload-keys' }),
  },
};

const roleFlag = (role: KeyRole): string => Object.entries(MANUAL_KEY_FLAGS).find(([, r]) => r === role)![0];

/** The default export writer: refuse to overwrite, private to the user. */
export function writeExportFile(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    fchmodSync(fd, 0o600); // whatever the umask
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function describeError(error: unknown): string | undefined {
  if (error instanceof MatrixApiError) {
    if (error.status === 401) return `the homeserver refused the access token (${error.errcode}); get a fresh one`;
    return `the homeserver refused: ${error.message}`;
  }
  if (error instanceof ConnectionError) return error.message;
  return undefined;
}

function keyInput(flags: Record<string, string | boolean>, env: RepairIo['env'], key: string, phrase: string, keyEnv: string, phraseEnv: string | undefined): SecretStorageKeyInput {
  const fromEnv = (name: string | undefined): string | undefined => (name === undefined ? undefined : env[name] || undefined);
  const recoveryKey = (flags[key] as string | undefined) ?? (flags[phrase] === undefined ? fromEnv(keyEnv) : undefined);
  const passphrase = (flags[phrase] as string | undefined) ?? (recoveryKey === undefined ? fromEnv(phraseEnv) : undefined);
  if (recoveryKey !== undefined && passphrase !== undefined) throw new UsageError(`give either --${key} or --${phrase}, not both`);
  const out: SecretStorageKeyInput = {};
  if (recoveryKey !== undefined) out.recoveryKey = recoveryKey;
  if (passphrase !== undefined) out.passphrase = passphrase;
  return out;
}

const given = (input: SecretStorageKeyInput): boolean => input.recoveryKey !== undefined || input.passphrase !== undefined;

/** The problems under their causes (one headline each, src/core/inspect/causes.ts), one line per problem, for the verdict. */
export function formatVerdict(report: Report, heading: string): string {
  if (report.healthy) return `${heading}: healthy, no problems found.`;
  const causes = groupCauses(report.problems);
  const lines = [`${heading}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}, ${causes.length} cause${causes.length === 1 ? '' : 's'}`];
  for (const cause of causes) {
    lines.push(terminalSafe(`  ✗ ${cause.headline}${cause.repair === undefined ? '' : `  → ${cause.repair}`}`));
    for (const p of report.problems.filter((x) => causeOf(x) === cause.id)) {
      const subject = p.subject === undefined ? '' : ` (${p.subject})`;
      const repair = p.repair === undefined ? '' : `  [repair: ${p.repair}]`;
      lines.push(terminalSafe(`      ${p.code}${subject}: ${p.message}${repair}`));
    }
  }
  return lines.join('\n');
}

/** The preview: what the plan does and every request it sends (secret ciphertexts redacted). */
export function formatPreview(built: Pick<PreparedRepair, 'plan' | 'remarks'>, opts: { exportPath?: string; exportPlaintext?: boolean; baseUrl: string }): string {
  const { plan } = built;
  const lines = [`PLAN: ${plan.title}  (${plan.id})`, `  account: ${plan.userId} on ${opts.baseUrl}`];
  const keys = Object.entries(plan.publicKeys).map(([role, key]) => `${ROLE[role as KeyRole].name} ${key}`);
  if (keys.length > 0) lines.push(`  keys: ${keys.join(', ')}`);
  if (plan.safeguard === 'secret-storage') lines.push('  the new private keys are stored in secret storage before anything is published');
  if (opts.exportPath !== undefined) {
    lines.push(`  the new private keys are written to ${opts.exportPath} (mode 0600, ${opts.exportPlaintext === true ? 'UNENCRYPTED' : 'encrypted with your passphrase'}) before anything is sent`);
  }
  lines.push('', `REQUESTS (${plan.steps.length}, in this order; the access token goes in the Authorization header):`);
  plan.steps.forEach((step, i) => {
    lines.push(`  ${i + 1}. ${step.title}`, `     ${step.request.method} ${step.request.path}`);
    if (step.uia) lines.push('     (plus an "auth" object if the homeserver asks you to confirm with your password or in your account settings)');
    // Secrets' ciphertexts and MACs are redacted, as in the diagnostic (the preview is for reading).
    for (const bodyLine of JSON.stringify(redactedRequestBody(step.request.body), null, 2).split('\n')) lines.push(`     ${bodyLine}`);
  });
  const notes = [...plan.notes, ...built.remarks];
  if (notes.length > 0) lines.push('', 'NOTES:', ...notes.map((n) => `  - ${n}`));
  return lines.map(terminalSafe).join('\n');
}

/** What a refusal does to the CLI: refused input before a plan (exit 2), nothing to do (exit 0), or a refused plan (exit 1). */
function exitCodeOf(refusal: RepairRefusal): number {
  if (refusal.code === 'nothing-to-do') return 0;
  const input = ['missing-key', 'missing-source', 'no-secret-storage', 'key-input', 'wrong-key', 'wrong-source-key',
    'export-passphrase-both', 'export-passphrase-weak', 'export-encrypt-failed', 'new-passphrase-weak', 'this-session'];
  return input.includes(refusal.code) ? 2 : 1;
}

/**
 * Run one repair command with the arguments after its name.
 * @returns The exit code.
 * @throws {UsageError} On bad or missing flags (the caller prints the help and exits 2).
 */
export async function runRepair(command: RepairCommand, argv: string[], io: RepairIo): Promise<number> {
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError('the password is never given as an argument (other users can read command lines): it is asked on the terminal, or read from standard input with --password-stdin');
  }
  const verb = VERBS[command];
  const surface: Surface = { name: 'cli', verb: command };
  // A user ID is public: the one argument that may stand without a flag (verify-user @bob:example.org).
  let userId: string | undefined;
  argv = [...argv];
  if (verb.userArgument === true) {
    const at = argv.findIndex((a) => USER_ID.test(a));
    if (at !== -1) [userId] = argv.splice(at, 1);
  }
  const parsed = parseCommandArgs(command, argv, { ...COMMON, ...verb.flags });
  if (verb.userArgument === true) {
    if (userId === undefined) throw new UsageError(`${command} needs the user ID of the person to verify (@name:server)`);
    if (typeof parsed.master !== 'string') throw new UsageError(`${command} needs --master KEY: the master key (or fingerprint) they read out to you`);
  }
  const flags = await resolveSecretFlags(parsed, [...COMMON_SECRETS, ...(verb.secrets ?? [])], {
    warn: io.err, stdin: io.stdin, ...(io.readFile ? { readFile: io.readFile } : {}),
  }, { passwordStdin: parsed['password-stdin'] === true });
  const homeserver = flags.homeserver;
  if (typeof homeserver !== 'string') throw new UsageError('--homeserver is required');
  const token = (flags.token as string | undefined) ?? io.env.XSIGN_TOKEN;
  if (!token) throw new UsageError('an access token is required: set XSIGN_TOKEN or pass --token-file');
  const secret = keyInput(flags, io.env, 'recovery-key', 'passphrase', 'XSIGN_RECOVERY_KEY', 'XSIGN_PASSPHRASE');
  const yes = flags.yes === true;
  const dryRun = flags['dry-run'] === true;
  const passwordStdin = flags['password-stdin'] === true;
  const exportPath = flags.export as string | undefined;
  const exportPlaintext = flags['export-plaintext'] === true;
  const exportPassphraseFile = flags['export-passphrase-file'] as string | undefined;
  const fromExport = flags['from-export'] as string | undefined;
  const recoveryKeyOut = flags['recovery-key-out'] as string | undefined;
  const newPassphraseFile = flags['new-passphrase-file'] as string | undefined;
  const readText = io.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const fail2 = (message: string): number => {
    io.err(terminalSafe(`xsign-doctor: ${message.replace(/\s+/g, ' ')}`));
    return 2;
  };

  // Refusals that need no server: checked (on the request's shape) before anything is read or sent.
  const fromKey = verb.secrets !== undefined ? keyInput(flags, io.env, 'from-recovery-key', 'from-passphrase', 'XSIGN_FROM_RECOVERY_KEY', undefined) : undefined;
  const input: VerbInput = { flags, fromKey: fromKey !== undefined && given(fromKey) ? fromKey : undefined, fromExportText: undefined, manualKeys: {}, ...(userId === undefined ? {} : { userId }) };
  if (newPassphraseFile !== undefined) input.newPassphrase = readPassphraseFile(newPassphraseFile, io.readFile ?? ((p: string) => readFileSync(p, 'utf8')));
  const early = precheckRepair(verb.request(input), secret);
  if (early !== null) throw new UsageError(describeRefusal(early, surface));
  if (exportPath !== undefined && existsSync(exportPath)) throw new UsageError('the file given to --export already exists; the export never overwrites a file. Nothing was sent.');
  if (recoveryKeyOut !== undefined && existsSync(recoveryKeyOut)) throw new UsageError('the file given to --recovery-key-out already exists; a recovery key never overwrites a file. Nothing was sent.');
  if (!yes && !dryRun && (passwordStdin || io.stdin.isTTY !== true)) {
    throw new UsageError('no terminal to confirm on: check the plan with --dry-run, then run again with --yes');
  }
  // The export's passphrase: known (or known to be askable) before anything is read or sent.
  if (exportPlaintext && exportPath === undefined) throw new UsageError('--export-plaintext needs --export FILE');
  if (exportPlaintext && exportPassphraseFile !== undefined) throw new UsageError(describeRefusal({ code: 'export-passphrase-both', kind: verb.request(input).kind }, surface));
  if (exportPassphraseFile !== undefined && exportPath === undefined && fromExport === undefined) {
    throw new UsageError(`--export-passphrase-file needs ${verb.flags['from-export'] !== undefined ? '--from-export' : '--export'} FILE`);
  }
  const filePassphrase = exportPassphraseFile === undefined ? undefined : readPassphraseFile(exportPassphraseFile, readText);
  if (exportPath !== undefined && !exportPlaintext) {
    const weak = filePassphrase === undefined ? null : exportPassphraseProblem(filePassphrase);
    if (weak !== null) throw new UsageError(`the passphrase in ${exportPassphraseFile}: ${weak}. Nothing was sent.`);
    if (filePassphrase === undefined && !dryRun && !canAsk(io.stdin, passwordStdin)) {
      throw new UsageError('no terminal to ask for the export passphrase on: give --export-passphrase-file F (its first line is the passphrase), or --export-plaintext to write the keys unencrypted. Nothing was sent.');
    }
  }
  // The files the flags name are read (an encrypted --from-export decrypted) before the server is asked anything.
  for (const [flag, role] of Object.entries(MANUAL_KEY_FLAGS)) {
    const path = flags[flag];
    if (typeof path !== 'string') continue;
    try {
      input.manualKeys[role] = readText(path);
    } catch (error) {
      return fail2(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (fromExport !== undefined) {
    let text: string;
    try {
      text = readText(fromExport);
    } catch (error) {
      return fail2(`cannot read ${fromExport}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (exportFormOf(text) === 'encrypted') {
      let passphrase = filePassphrase;
      if (passphrase === undefined) {
        if (!canAsk(io.stdin, passwordStdin)) return fail2(`${fromExport} is encrypted and there is no terminal to ask for its passphrase on: give --export-passphrase-file F. Nothing was sent.`);
        passphrase = await askExportPassphrase(io, fromExport) ?? undefined;
        if (passphrase === undefined) {
          io.err('Cancelled: nothing was sent.');
          return 1;
        }
      }
      const plain = await decryptKeysExport(text, passphrase);
      if (!plain.ok) return fail2(`the export file ${fromExport}: ${plain.error}. Nothing was sent.`);
      text = plain.value;
    }
    input.fromExportText = text;
  }
  const request = verb.request(input);

  let client: MatrixClient;
  try {
    client = createMatrixClient({ baseUrl: homeserver, accessToken: token, fetch: io.fetch });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }

  let prepared: PreparedRepair | undefined;
  try {
    const me = await client.whoami();
    await warnIfUnproven(me.user_id, client.baseUrl, io.fetch, io.err);
    const ed = nodeEd25519();
    const result = await prepareRepair(client, { userId: me.user_id, deviceId: me.device_id }, request, secret, { ed });
    if (!result.ok) {
      const refusal = result.error;
      const code = exitCodeOf(refusal);
      const text = describeRefusal(refusal, surface);
      if (code === 2) return fail2(text);
      if (code === 0) io.out(terminalSafe(text));
      else io.err(terminalSafe(`xsign-doctor: ${text}`));
      if (refusal.report !== undefined) io.out(formatVerdict(refusal.report, code === 0 ? 'Status' : 'Server state'));
      return code;
    }
    prepared = result.value;
    const plan: RepairPlan = prepared.plan;
    const verdictAfterFailure = async (): Promise<void> => {
      if (Object.keys(plan.publicKeys).length > 0) {
        try {
          io.out(terminalSafe((await describeServerKeys(client, me.user_id, plan.publicKeys)).text));
        } catch { /* printState reports an unreadable server */ }
      }
      await printState(client, me, secret, ed, io, 'Server state now');
    };

    io.out(formatPreview(prepared, { ...(exportPath === undefined ? {} : { exportPath, exportPlaintext }), baseUrl: client.baseUrl }));
    if (prepared.recoveryKey !== undefined) {
      io.out(recoveryKeyOut === undefined
        ? '  the new recovery key is printed once, after you confirm and before anything is sent'
        : `  the new recovery key is written to ${recoveryKeyOut} (mode 0600, never overwriting a file) before anything is sent`);
    }
    if (prepared.signsOutThisSession === true) io.out('  THIS SESSION is signed out last: its access token stops working.');
    if (dryRun) {
      io.out('\nDry run: nothing was sent.');
      return 0;
    }
    const prompts = createPrompts({ stdin: io.stdin, err: io.err, errRaw: io.errRaw }, { passwordStdin });
    if (!yes && !(await prompts.confirm('\nSend these requests?'))) {
      io.err('Cancelled: nothing was sent.');
      return 1;
    }
    if (exportPath !== undefined && prepared.exportText !== undefined) {
      let fileText = prepared.exportText;
      if (exportPlaintext) {
        io.err(PLAINTEXT_EXPORT_WARNING);
      } else {
        const passphrase = filePassphrase ?? await askNewExportPassphrase(io);
        if (passphrase === null) {
          io.err('Cancelled: nothing was sent.');
          return 1;
        }
        const encrypted = await encryptKeysExport(prepared.exportText, passphrase);
        if (!encrypted.ok) return fail2(describeRefusal({ code: 'export-encrypt-failed', kind: request.kind, detail: encrypted.error }, surface));
        fileText = encrypted.value;
      }
      try {
        (io.writeExport ?? writeExportFile)(exportPath, fileText);
      } catch (error) {
        return fail2(`cannot write ${exportPath}: ${error instanceof Error ? error.message : String(error)}. Nothing was sent.`);
      }
      io.out(terminalSafe(`Wrote the new private keys to ${exportPath} (readable only by you${exportPlaintext ? ', NOT encrypted' : ', encrypted with your passphrase'}). Keep it safe: it is the only copy outside secret storage.`));
    }

    // The recovery key: out of the tool before anything depends on it, once (docs/repairs.md#create-secret-storage).
    if (prepared.recoveryKey !== undefined) {
      if (recoveryKeyOut !== undefined) {
        try {
          (io.writeExport ?? writeExportFile)(recoveryKeyOut, `${prepared.recoveryKey}\n`);
        } catch (error) {
          return fail2(`cannot write ${recoveryKeyOut}: ${error instanceof Error ? error.message : String(error)}. Nothing was sent.`);
        }
        io.out(terminalSafe(`Wrote the new recovery key to ${recoveryKeyOut} (readable only by you). Keep it safe: it is shown nowhere else.`));
      } else {
        io.out(`\nYOUR NEW RECOVERY KEY (shown once; save it now, nobody can show it again):\n\n    ${prepared.recoveryKey}\n`);
        if (!yes && !(await prompts.confirm('Have you saved the recovery key?'))) {
          io.err('Cancelled: nothing was sent (the recovery key above is not used).');
          return 1;
        }
      }
    }
    const pollMs = io.pollIntervalMs ?? 2_000;
    const ui = cliUiaPrompter(prompts, io.err, { pollMs, host: hostOf(client.baseUrl) ?? client.baseUrl });
    const approvalTimeoutMs = 600_000;
    let completed = 0;
    let progress: RepairProgress | undefined;
    let end: RunEnd;
    // The people this run verified are remembered, even when a later step failed (src/cli/state-file.ts).
    const rememberVerified = (failures: readonly SignatureFailure[]): void => {
      const verified = progress === undefined ? [] : verifiedByRun(plan, progress, failures);
      if (verified.length > 0) new VerifiedUsersState(stateFilePath(io.env, flags['state-file']), io.err).remember({ userId: me.user_id, homeserver: client.baseUrl }, verified);
    };
    try {
      const outcome = await executePlan(plan, {
        client, ui,
        uia: {
          pollIntervalMs: pollMs, approvalTimeoutMs,
          // Without a terminal a fallback stage is re-checked every poll until the approval timeout.
          ...(prompts.interactive ? {} : { maxFallbackAttempts: Math.ceil(approvalTimeoutMs / pollMs), maxRounds: Math.ceil(approvalTimeoutMs / pollMs) + 20 }),
        },
        onProgress: (p) => { completed = p.completedStepIds.length; progress = p; },
        onStep: (e) => {
          if (e.phase === 'done') io.out(terminalSafe(`  ✓ ${e.index + 1}/${e.total} ${plan.steps[e.index]?.title ?? e.stepId}`));
        },
      });
      progress = outcome.progress;
      end = outcome.failures.length > 0 ? { kind: 'rejected', failures: outcome.failures } : { kind: 'success' };
      rememberVerified(outcome.failures);
    } catch (error) {
      end = { kind: 'error', error, completed };
      rememberVerified([]);
      if (error instanceof NoTerminalError) {
        const halfDone = describeOutcome(plan, end, surface).halfDone;
        if (halfDone !== undefined) io.err(halfDone);
        return fail2(`${error.message}. The repair stopped; nothing after the last completed step was sent.`);
      }
    }
    const described = describeOutcome(plan, end, surface);
    if (described.outcome === 'success') {
      io.out(terminalSafe(described.message));
      if (prepared.signsOutThisSession === true) {
        io.out('This session was signed out: its access token no longer works, so the account cannot be read with it again.');
        return 0;
      }
      // After a new secret-storage key, the account is read with it: the old key is no longer the default.
      const after = prepared.recoveryKey !== undefined ? { recoveryKey: prepared.recoveryKey } : secret;
      const healthy = await printState(client, me, after, ed, io, 'Status after the repair');
      // fix promises a healthy account: anything left (listed above) is exit 1.
      return command === 'fix' && !healthy ? 1 : 0;
    }
    // A new secret-storage key that stopped before default_key: the recovery key the person saved still finishes it.
    if (prepared.recoveryKey !== undefined && completed > 0 && completed < plan.steps.length) {
      io.err('The new secret-storage key may be described (and hold secrets) without being the default yet: `xsign-doctor set-default-key` with the recovery key you saved finishes it, or run setup-secret-storage again for another key.');
    }
    // Secret storage may already hold new keys that were never published: say so plainly.
    if (described.halfDone !== undefined) io.err(described.halfDone + (exportPath === undefined ? '' : ` The new keys are also in ${exportPath}.`));
    if (end.kind === 'rejected') {
      io.err(described.message);
      // Per user: a signature on someone else's master key names them (signatures/upload answers per user and key).
      for (const f of end.failures) io.err(terminalSafe(`  ✗ ${f.userId === plan.userId ? '' : `${f.userId} `}${f.keyId}: ${f.errcode}${f.message === undefined ? '' : ` ${f.message}`}`));
      await verdictAfterFailure();
      return 1;
    }
    if (described.unexpected && end.kind === 'error') throw end.error;
    // A lost answer: the last request may have reached the server, so the exit code says "try again".
    const code = described.lostAnswer ? fail2(described.message) : (io.err(terminalSafe(`xsign-doctor: the repair did not complete: ${described.message.replace(/\s+/g, ' ')}`)), 1);
    // Even after a cancel: an earlier step may have written (the half-done warning above says what).
    await verdictAfterFailure();
    return code;
  } catch (error) {
    const message = describeError(error);
    if (message === undefined) throw error;
    return fail2(message);
  } finally {
    prepared?.dispose();
  }
}

/** Re-run the inspection and print its verdict; a failure to read is reported, not thrown. */
/** @returns Whether the re-read account is healthy (false when it could not be read). */
async function printState(client: MatrixClient, me: { user_id: string; device_id?: string | undefined }, secret: SecretStorageKeyInput, ed: Ed25519, io: RepairIo, heading: string): Promise<boolean> {
  try {
    const again = await inspectAccount(client, { userId: me.user_id, deviceId: me.device_id, secret, ed });
    if (again.ok) {
      io.out(formatVerdict(again.value.report, heading));
      return again.value.report.healthy;
    }
    io.err(terminalSafe(`xsign-doctor: could not re-check the account: ${again.error.message}`));
  } catch (error) {
    io.err(terminalSafe(`xsign-doctor: could not re-check the account: ${describeError(error) ?? (error instanceof Error ? error.message : String(error))}`));
  }
  return false;
}
