/**
 * The export file's passphrase on the command line: from a file (`--export-passphrase-file F`,
 * its first line, so scripts run unattended) or asked on the terminal without echo — never an
 * argument, since other users can read command lines. Nothing here keeps or prints it.
 */
import { exportPassphraseProblem, MIN_EXPORT_PASSPHRASE_LENGTH } from '../core/index.ts';
import { UsageError } from './args.ts';
import { terminalSafe } from './terminal-safe.ts';
import { readHiddenLine, type TerminalInput } from './prompt.ts';

export const PLAINTEXT_EXPORT_WARNING = 'Warning: --export-plaintext writes the new private keys UNENCRYPTED: anyone who gets this file can take over your identity. Move it somewhere only you can reach, or delete it once the keys are in secret storage.';

interface PassphraseIo {
  stdin: TerminalInput;
  errRaw: (text: string) => void;
  err: (text: string) => void;
}

/**
 * The first line of a passphrase file (a trailing CR/LF is not part of it).
 * @throws {UsageError} When the file cannot be read or its first line is empty.
 */
export function readPassphraseFile(path: string, readFile: (path: string) => string): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the passphrase file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const line = text.split('\n', 1)[0]!.replace(/\r$/, '');
  if (line === '') throw new UsageError(`the passphrase file ${path} is empty (its first line is the passphrase)`);
  return line;
}

/** A terminal to ask on: standard input is one, and is not the password pipe. */
export const canAsk = (stdin: TerminalInput, passwordStdin: boolean): boolean => stdin.isTTY === true && !passwordStdin;

/**
 * Ask for a new export passphrase twice; up to three tries when the two differ or it is too short.
 * @returns The passphrase, or null when the user cancelled (Ctrl-C / Ctrl-D) or gave up.
 */
export async function askNewExportPassphrase(io: PassphraseIo): Promise<string | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    io.errRaw(`Passphrase to encrypt the export file (at least ${MIN_EXPORT_PASSPHRASE_LENGTH} characters): `);
    const first = await readHiddenLine(io.stdin, io.errRaw);
    if (first === null) return null;
    io.errRaw('The same passphrase again: ');
    const second = await readHiddenLine(io.stdin, io.errRaw);
    if (second === null) return null;
    const problem = exportPassphraseProblem(first, second);
    if (problem === null) return first;
    io.err(`${problem[0]!.toUpperCase()}${problem.slice(1)}.`);
  }
  return null;
}

/** Ask for the passphrase of an existing encrypted export. null when cancelled. */
export async function askExportPassphrase(io: PassphraseIo, path: string): Promise<string | null> {
  io.errRaw(terminalSafe(`Passphrase of the encrypted export file ${path}: `));
  return readHiddenLine(io.stdin, io.errRaw);
}
