/**
 * The repair commands: `xsign-doctor reset | sign-devices | store-secrets | resign-backup | upload`.
 *
 * Same flow for each: inspect the account, build the plan (src/core/repair/build-plans.ts), print a preview of
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
  ConnectionError, createMatrixClient, decryptKeysExport, describeServerKeys, detectEd25519, encryptKeysExport, executePlan, exportFormOf,
  exportPassphraseProblem, inspectAccount, MatrixApiError, redactedRequestBody,
  RepairCancelledError, ROLE, targetKeyId, UiaFailedError, PlanMismatchError,
  type CheckedSecretStorageKey, type KeyRole, type MatrixClient, type RepairPlan, type Report, type SecretStorageKeyInput,
} from '../core/index.ts';
import { parseCommandArgs, UsageError, type FlagSpec } from './args.ts';
import { askExportPassphrase, askNewExportPassphrase, canAsk, PLAINTEXT_EXPORT_WARNING, readPassphraseFile } from './export-passphrase.ts';
import { resolveSecretFlags, secretFlagSpec, type SecretFlag } from './secret-flags.ts';
import { terminalSafe } from './terminal-safe.ts';
import { hostOf } from '../core/matrix/discovery.ts';
import { warnIfUnproven } from './homeserver-warning.ts';
import { cliUiaPrompter, createPrompts, NoTerminalError, type TerminalInput } from './prompt.ts';
import {
  buildManualUpload, buildReencrypt, buildRegenerate, buildReset, checkKeyInput, findSourceKey, buildResignBackup, buildSignDevices, buildStoreFromExport, buildUpload,
  PlanRefusedError, REPAIR_COMMANDS, type BuiltPlan, type ManualKeyTexts, type PlanContext, type RepairCommand,
} from '../core/repair/build-plans.ts';

export { REPAIR_COMMANDS, type RepairCommand };

export function isRepairCommand(command: string | undefined): command is RepairCommand {
  return (REPAIR_COMMANDS as readonly string[]).includes(command ?? '');
}

export interface RepairIo {
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
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
  homeserver: 'string', 'password-stdin': 'boolean', yes: 'boolean', 'dry-run': 'boolean', ...secretFlagSpec(COMMON_SECRETS),
};
/** upload's key files, per role (files, not arguments: command lines are public). */
const MANUAL_KEY_FLAGS = { 'master-key': 'master', 'self-signing-key': 'selfSigning', 'user-signing-key': 'userSigning' } as const satisfies Record<string, KeyRole>;

const EXTRA: Record<RepairCommand, FlagSpec> = {
  reset: { export: 'string', 'export-passphrase-file': 'string', 'export-plaintext': 'boolean' },
  regenerate: { export: 'string', 'export-passphrase-file': 'string', 'export-plaintext': 'boolean', 'self-signing': 'boolean', 'user-signing': 'boolean' },
  'sign-devices': { devices: 'string' },
  'store-secrets': { 'from-export': 'string', 'export-passphrase-file': 'string', ...secretFlagSpec(FROM_SECRETS) },
  'resign-backup': {},
  upload: { 'master-key': 'string', 'self-signing-key': 'string', 'user-signing-key': 'string' },
};

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

const checkKey = checkKeyInput;

/** The problems, one line each, for the verdict. */
export function formatVerdict(report: Report, heading: string): string {
  if (report.healthy) return `${heading}: healthy, no problems found.`;
  const lines = [`${heading}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`];
  for (const p of report.problems) {
    const subject = p.subject === undefined ? '' : ` (${p.subject})`;
    const repair = p.repair === undefined ? '' : `  [repair: ${p.repair}]`;
    lines.push(terminalSafe(`  ✗ ${p.code}${subject}: ${p.message}${repair}`));
  }
  return lines.join('\n');
}

/** The preview: what the plan does and every request it sends (secret ciphertexts redacted). */
export function formatPreview(built: BuiltPlan, opts: { exportPath?: string; exportPlaintext?: boolean; baseUrl: string }): string {
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

/**
 * Run one repair command with the arguments after its name.
 * @returns The exit code.
 * @throws {UsageError} On bad or missing flags (the caller prints the help and exits 2).
 */
export async function runRepair(command: RepairCommand, argv: string[], io: RepairIo): Promise<number> {
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError('the password is never given as an argument (other users can read command lines): it is asked on the terminal, or read from standard input with --password-stdin');
  }
  const parsed = parseCommandArgs(command, argv, { ...COMMON, ...EXTRA[command] });
  const flags = await resolveSecretFlags(parsed, command === 'store-secrets' ? [...COMMON_SECRETS, ...FROM_SECRETS] : COMMON_SECRETS, {
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
  const readText = io.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const fail2 = (message: string): number => {
    io.err(terminalSafe(`xsign-doctor: ${message.replace(/\s+/g, ' ')}`));
    return 2;
  };

  // Refusals that need no server: checked before anything is read or sent.
  const manualFiles = command === 'upload'
    ? Object.entries(MANUAL_KEY_FLAGS).flatMap(([flag, role]) => (typeof flags[flag] === 'string' ? [{ role, path: flags[flag] as string }] : []))
    : [];
  const manual = manualFiles.length > 0;
  if (command === 'reset' && exportPath === undefined && !given(secret)) {
    throw new UsageError('reset creates new private keys and will not publish them unless they are safe: give --recovery-key (store them in secret storage) and/or --export FILE (save them to a new file). Nothing was sent.');
  }
  if (exportPath !== undefined && existsSync(exportPath)) throw new UsageError('the file given to --export already exists; the export never overwrites a file. Nothing was sent.');
  if (command !== 'reset' && !manual && !given(secret)) {
    throw new UsageError(`${command} needs the secret-storage key: give --recovery-key-file (or XSIGN_RECOVERY_KEY) or --passphrase-file (or XSIGN_PASSPHRASE)`);
  }
  let source: SecretStorageKeyInput | undefined;
  let fromExport: string | undefined;
  if (command === 'store-secrets') {
    source = keyInput(flags, io.env, 'from-recovery-key', 'from-passphrase', 'XSIGN_FROM_RECOVERY_KEY', undefined);
    fromExport = flags['from-export'] as string | undefined;
    if (given(source) === (fromExport !== undefined)) {
      throw new UsageError('store-secrets needs exactly one source: --from-recovery-key / --from-passphrase (the other secret-storage key) or --from-export FILE');
    }
  }
  if (!yes && !dryRun && (passwordStdin || io.stdin.isTTY !== true)) {
    throw new UsageError('no terminal to confirm on: check the plan with --dry-run, then run again with --yes');
  }
  // The export's passphrase: known (or known to be askable) before anything is read or sent.
  if (exportPlaintext && exportPath === undefined) throw new UsageError('--export-plaintext needs --export FILE');
  if (exportPlaintext && exportPassphraseFile !== undefined) throw new UsageError('give either --export-passphrase-file or --export-plaintext, not both');
  if (exportPassphraseFile !== undefined && exportPath === undefined && fromExport === undefined) {
    throw new UsageError(`--export-passphrase-file needs ${command === 'store-secrets' ? '--from-export' : '--export'} FILE`);
  }
  const filePassphrase = exportPassphraseFile === undefined ? undefined : readPassphraseFile(exportPassphraseFile, readText);
  if (exportPath !== undefined && !exportPlaintext) {
    const weak = filePassphrase === undefined ? null : exportPassphraseProblem(filePassphrase);
    if (weak !== null) throw new UsageError(`the passphrase in ${exportPassphraseFile}: ${weak}. Nothing was sent.`);
    if (filePassphrase === undefined && !dryRun && !canAsk(io.stdin, passwordStdin)) {
      throw new UsageError('no terminal to ask for the export passphrase on: give --export-passphrase-file F (its first line is the passphrase), or --export-plaintext to write the keys unencrypted. Nothing was sent.');
    }
  }
  // An encrypted --from-export file is decrypted before the server is asked anything.
  let fromExportText: string | undefined;
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
    fromExportText = text;
  }

  let client: MatrixClient;
  try {
    client = createMatrixClient({ baseUrl: homeserver, accessToken: token, fetch: io.fetch });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }

  let built: BuiltPlan | undefined;
  const toWipe: Uint8Array[] = [];
  try {
    const me = await client.whoami();
    await warnIfUnproven(me.user_id, client.baseUrl, io.fetch, io.err);
    const ed = await detectEd25519();
    const inspected = await inspectAccount(client, { userId: me.user_id, deviceId: me.device_id, secret, ed });
    if (!inspected.ok) return fail2(inspected.error.message);
    const { state, report } = inspected.value;

    let ssss: CheckedSecretStorageKey | undefined;
    if (given(secret)) {
      const keyId = targetKeyId(state);
      if (keyId === null) return fail2('the account has no secret storage to check the recovery key against' + (command === 'reset' ? ' (use --export FILE instead)' : ''));
      const checked = await checkKey(state, keyId, secret);
      if (!checked.ok) return fail2(checked.message);
      ssss = checked.key;
      toWipe.push(ssss.key);
    }
    const ctx: PlanContext = { state, report, userId: me.user_id, deviceId: me.device_id, ed, ssss };
    const verdictAfterFailure = async (): Promise<void> => {
      if (built !== undefined && Object.keys(built.plan.publicKeys).length > 0) {
        try {
          io.out(terminalSafe((await describeServerKeys(client, me.user_id, built.plan.publicKeys)).text));
        } catch { /* printState reports an unreadable server */ }
      }
      await printState(client, me, secret, io, 'Server state now');
    };

    try {
      switch (command) {
        case 'reset':
          built = await buildReset(ctx, { exportKeys: exportPath !== undefined });
          break;
        case 'sign-devices': {
          const list = flags.devices as string | undefined;
          built = await buildSignDevices(ctx, list === undefined ? {} : { deviceIds: list.split(',').map((s) => s.trim()).filter((s) => s !== '') });
          break;
        }
        case 'store-secrets': {
          if (fromExportText !== undefined) {
            built = await buildStoreFromExport(ctx, fromExportText);
          } else {
            const sourceKey = await findSourceKey(state, ssss!, source!);
            if (!sourceKey.ok) return fail2(sourceKey.message);
            toWipe.push(sourceKey.key.key);
            built = await buildReencrypt(ctx, sourceKey.key);
          }
          break;
        }
        case 'resign-backup':
          built = await buildResignBackup(ctx);
          break;
        case 'regenerate': {
          const only = { ss: flags['self-signing'] === true, us: flags['user-signing'] === true };
          const both = !only.ss && !only.us;
          built = await buildRegenerate(ctx, { selfSigning: both || only.ss, userSigning: both || only.us, exportKeys: exportPath !== undefined });
          break;
        }
        case 'upload': {
          if (!manual) {
            built = await buildUpload(ctx);
            break;
          }
          const texts: ManualKeyTexts = {};
          for (const { role, path } of manualFiles) {
            try {
              texts[role] = readText(path);
            } catch (error) {
              return fail2(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
          built = await buildManualUpload(ctx, texts);
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof PlanRefusedError)) throw error;
      if (error.code === 'nothing-to-do') {
        io.out(terminalSafe(`Nothing to do: ${error.message}.`));
        io.out(formatVerdict(report, 'Status'));
        return 0;
      }
      // An unproven or weak secret-storage key leaves the export file as the only safeguard.
      const hint = error.code === 'unsafe-secret-storage-key' && (command === 'reset' || command === 'regenerate') ? ' (--export FILE)' : '';
      io.err(terminalSafe(`xsign-doctor: cannot plan ${command}: ${error.message}${hint}. Nothing was sent.`));
      io.out(formatVerdict(report, 'Server state'));
      return 1;
    }
    toWipe.push(...built.secrets);
    const plan: RepairPlan = built.plan;

    io.out(formatPreview(built, { ...(exportPath === undefined ? {} : { exportPath, exportPlaintext }), baseUrl: client.baseUrl }));
    if (dryRun) {
      io.out('\nDry run: nothing was sent.');
      return 0;
    }
    const prompts = createPrompts({ stdin: io.stdin, err: io.err, errRaw: io.errRaw }, { passwordStdin });
    if (!yes && !(await prompts.confirm('\nSend these requests?'))) {
      io.err('Cancelled: nothing was sent.');
      return 1;
    }
    if (exportPath !== undefined && built.exportText !== undefined) {
      let fileText = built.exportText;
      if (exportPlaintext) {
        io.err(PLAINTEXT_EXPORT_WARNING);
      } else {
        const passphrase = filePassphrase ?? await askNewExportPassphrase(io);
        if (passphrase === null) {
          io.err('Cancelled: nothing was sent.');
          return 1;
        }
        const encrypted = await encryptKeysExport(built.exportText, passphrase);
        if (!encrypted.ok) return fail2(`cannot encrypt the export file: ${encrypted.error}. Nothing was sent.`);
        fileText = encrypted.value;
      }
      try {
        (io.writeExport ?? writeExportFile)(exportPath, fileText);
      } catch (error) {
        return fail2(`cannot write ${exportPath}: ${error instanceof Error ? error.message : String(error)}. Nothing was sent.`);
      }
      io.out(terminalSafe(`Wrote the new private keys to ${exportPath} (readable only by you${exportPlaintext ? ', NOT encrypted' : ', encrypted with your passphrase'}). Keep it safe: it is the only copy outside secret storage.`));
    }

    const pollMs = io.pollIntervalMs ?? 2_000;
    const ui = cliUiaPrompter(prompts, io.err, { pollMs, host: hostOf(client.baseUrl) ?? client.baseUrl });
    const approvalTimeoutMs = 600_000;
    let completed: string[] = [];
    /** Secret storage already holds new keys that were never published: say so plainly. */
    const warnHalfDone = (): void => {
      const stored = completed.filter((id) => id.startsWith('store-'));
      if (Object.keys(plan.publicKeys).length === 0 || stored.length === 0 || completed.includes('upload-keys')) return;
      io.err('Warning: secret storage may now hold the NEW private keys, not published yet (the ones they replaced are kept under dev.xsign-doctor.previous.*).'
        + (exportPath === undefined ? '' : ` The new keys are also in ${exportPath}.`)
        + ' `xsign-doctor upload` publishes exactly those; or run the repair again.');
    };
    try {
      const outcome = await executePlan(plan, {
        client, ui,
        uia: {
          pollIntervalMs: pollMs, approvalTimeoutMs,
          // Without a terminal a fallback stage is re-checked every poll until the approval timeout.
          ...(prompts.interactive ? {} : { maxFallbackAttempts: Math.ceil(approvalTimeoutMs / pollMs), maxRounds: Math.ceil(approvalTimeoutMs / pollMs) + 20 }),
        },
        onProgress: (p) => { completed = p.completedStepIds; },
        onStep: (e) => {
          if (e.phase === 'done') io.out(terminalSafe(`  ✓ ${e.index + 1}/${e.total} ${plan.steps[e.index]?.title ?? e.stepId}`));
        },
      });
      if (outcome.failures.length > 0) {
        io.err('The homeserver rejected some signatures:');
        for (const f of outcome.failures) io.err(terminalSafe(`  ✗ ${f.keyId}: ${f.errcode}${f.message === undefined ? '' : ` ${f.message}`}`));
        await verdictAfterFailure();
        return 1;
      }
    } catch (error) {
      warnHalfDone();
      if (error instanceof NoTerminalError) return fail2(`${error.message}. The repair stopped; nothing after the last completed step was sent.`);
      if (error instanceof ConnectionError) {
        // The last request may have reached the server (a lost response): say what it publishes now.
        const code = fail2(`${error.message}. The repair stopped; the server state follows (if it can be read). Run the command again to finish.`);
        await verdictAfterFailure();
        return code;
      }
      let message: string;
      if (error instanceof RepairCancelledError || error instanceof UiaFailedError || error instanceof PlanMismatchError) message = error.message;
      else if (error instanceof MatrixApiError) message = `the homeserver refused: ${error.message}`;
      else throw error;
      io.err(terminalSafe(`xsign-doctor: the repair did not complete: ${message.replace(/\s+/g, ' ')}`));
      await verdictAfterFailure();
      return 1;
    }
    io.out(terminalSafe(`Done: ${plan.title}.`));
    await printState(client, me, secret, io, 'Status after the repair');
    return 0;
  } catch (error) {
    const message = describeError(error);
    if (message === undefined) throw error;
    return fail2(message);
  } finally {
    for (const bytes of toWipe) bytes.fill(0);
  }
}

/** Re-run the inspection and print its verdict; a failure to read is reported, not thrown. */
async function printState(client: MatrixClient, me: { user_id: string; device_id?: string | undefined }, secret: SecretStorageKeyInput, io: RepairIo, heading: string): Promise<void> {
  try {
    const again = await inspectAccount(client, { userId: me.user_id, deviceId: me.device_id, secret });
    if (again.ok) io.out(formatVerdict(again.value.report, heading));
    else io.err(terminalSafe(`xsign-doctor: could not re-check the account: ${again.error.message}`));
  } catch (error) {
    io.err(terminalSafe(`xsign-doctor: could not re-check the account: ${describeError(error) ?? (error instanceof Error ? error.message : String(error))}`));
  }
}
