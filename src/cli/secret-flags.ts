/**
 * Secret-valued flags (`--token`, `--recovery-key`, `--passphrase`, `--from-recovery-key`,
 * `--from-passphrase`) and their file forms. A command line is visible to every user of the
 * machine (`ps`, /proc/<pid>/cmdline) and often lands in shell history, so each secret can also
 * come from `--<flag>-file F` (F = `-`: standard input) or from its environment variable; the
 * argument form still works but warns. No message here ever contains a secret's value.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError, type FlagSpec } from './args.ts';

/** Each secret flag and the environment variable that may hold it instead. */
export const SECRET_FLAGS = {
  token: 'XSIGN_TOKEN',
  'recovery-key': 'XSIGN_RECOVERY_KEY',
  passphrase: 'XSIGN_PASSPHRASE',
  'from-recovery-key': 'XSIGN_FROM_RECOVERY_KEY',
  'from-passphrase': undefined,
} as const satisfies Record<string, string | undefined>;
export type SecretFlag = keyof typeof SECRET_FLAGS;

/** The flag spec for some secret flags: `--name V` and `--name-file F` for each. */
export function secretFlagSpec(names: readonly SecretFlag[]): FlagSpec {
  return Object.fromEntries(names.flatMap((name) => [[name, 'string'], [`${name}-file`, 'string']]));
}

/** Where file-form secrets are read from (injected for tests). */
export interface SecretSourceIo {
  /** Read a file as UTF-8; default `readFileSync`. */
  readFile?: (path: string) => string;
  /** Standard input, read to its end when a `--<flag>-file -` names it. */
  stdin?: Readable;
  /** One line on stderr. */
  warn: (text: string) => void;
}

/** All of a stream, as UTF-8 text. */
export function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => { text += chunk; });
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
    stream.resume();
  });
}

/** One trailing line ending removed (files written by editors and `echo` end with one). */
const trimOneNewline = (text: string): string => text.replace(/\r?\n$/, '');

/**
 * The secret flags of `flags` with their file forms read: returns a copy of `flags` where
 * `--name-file F` has become `name`. An argument form prints the process-list warning.
 *
 * @param opts.passwordStdin - `--password-stdin` was given: standard input is the password's.
 * @throws {UsageError} Both forms of one flag, two readers of standard input, an unreadable or
 *   empty file. The messages name flags, never values or file contents.
 */
export async function resolveSecretFlags(
  flags: Readonly<Record<string, string | boolean>>, names: readonly SecretFlag[], io: SecretSourceIo, opts: { passwordStdin?: boolean } = {},
): Promise<Record<string, string | boolean>> {
  const out = { ...flags };
  const fromStdin = names.filter((name) => flags[`${name}-file`] === '-');
  if (fromStdin.length > 1) throw new UsageError(`only one of ${fromStdin.map((n) => `--${n}-file`).join(', ')} can read standard input`);
  if (fromStdin.length > 0 && opts.passwordStdin === true) {
    throw new UsageError(`--${fromStdin[0]}-file - and --password-stdin both read standard input: give the ${fromStdin[0]} in a file instead`);
  }
  for (const name of names) {
    const path = flags[`${name}-file`];
    delete out[`${name}-file`];
    if (typeof path !== 'string') {
      if (typeof flags[name] === 'string') {
        const env = SECRET_FLAGS[name];
        io.warn(`warning: --${name} on the command line is visible to other users in process lists; use ${env === undefined ? '' : `${env} or `}--${name}-file`);
      }
      continue;
    }
    if (flags[name] !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
    let text: string;
    try {
      if (path === '-') {
        if (io.stdin === undefined) throw new Error('no standard input');
        text = await readAll(io.stdin);
      } else {
        text = (io.readFile ?? ((p) => readFileSync(p, 'utf8')))(path);
      }
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      throw new UsageError(`cannot read the file given to --${name}-file${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    const value = trimOneNewline(text);
    if (value === '') throw new UsageError(`the file given to --${name}-file is empty`);
    out[name] = value;
  }
  return out;
}
