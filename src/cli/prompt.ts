/**
 * Terminal input for the repair commands: a line reader over standard input (one line per
 * password attempt with --password-stdin), hidden password entry on a terminal, yes/no
 * confirmations, and the CLI's UiaPrompter (docs/matrix-api.md#uia: password natively, fallback pages
 * and approval URLs printed for the user to open).
 *
 * Passwords are only ever held in the local variable handed to the UIA driver; nothing here
 * echoes, logs or keeps them.
 */
import type { Readable } from 'node:stream';
import type { PasswordAttempt, UiaOffer, UiaPrompter, UiaState } from '../core/index.ts';
import { terminalSafe } from './terminal-safe.ts';
import { securePageUrl } from '../core/repair/auth-page.ts';

/**
 * The homeserver names the page to open and is not trusted (src/core/repair/auth-page.ts): a URL
 * that is not https (http on loopback) or hides its host behind user-info gets a warning line.
 * The CLI opens nothing itself; the origin check needs the advertised origins, left to the user.
 */
function pageWarning(url: string): string | undefined {
  const checked = securePageUrl(url);
  return checked.ok ? undefined : `Do not open this address: ${checked.error.reason}`;
}

/** Reads standard input line by line, on demand. `null` at end of input. */
export class LineReader {
  private buffer = '';
  private ended = false;

  constructor(private readonly input: Readable) {}

  private takeLine(): string | null | undefined {
    const nl = this.buffer.indexOf('\n');
    if (nl !== -1) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      return line;
    }
    if (!this.ended) return undefined;
    if (this.buffer === '') return null;
    const line = this.buffer;
    this.buffer = '';
    return line;
  }

  /** The next line without its line ending, or null once the input has ended. */
  readLine(): Promise<string | null> {
    if (this.input.readableEnded) this.ended = true;
    const ready = this.takeLine();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      // Listeners only while reading, so a hidden password read in between is not captured here.
      const done = (): void => {
        const line = this.takeLine();
        if (line === undefined) return;
        this.input.off('data', onData);
        this.input.off('end', onEnd);
        this.input.off('error', onEnd);
        this.input.pause(); // let the process exit while nobody is reading
        resolve(line);
      };
      const onData = (chunk: string | Buffer): void => { this.buffer += chunk.toString(); done(); };
      const onEnd = (): void => { this.ended = true; done(); };
      this.input.setEncoding('utf8');
      this.input.on('data', onData);
      this.input.on('end', onEnd);
      this.input.on('error', onEnd);
      this.input.resume();
    });
  }
}

/** Standard input as the terminal: a TTY stream can be switched to raw mode. */
export interface TerminalInput extends Readable {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/**
 * Read a password from a terminal without echoing it. Ctrl-C or Ctrl-D on an empty line
 * cancels (null).
 */
export function readHiddenLine(input: TerminalInput, write: (text: string) => void): Promise<string | null> {
  return new Promise((resolve) => {
    let value = '';
    const wasRaw = (input as { isRaw?: boolean }).isRaw === true;
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.resume();
    const finish = (result: string | null): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode?.(wasRaw);
      input.pause();
      write('\n');
      resolve(result);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(value);
        if (ch === '\u0003') return finish(null); // Ctrl-C
        if (ch === '\u0004') { if (value === '') return finish(null); continue; } // Ctrl-D
        if (ch === '\u007f' || ch === '\b') { value = value.slice(0, -1); continue; }
        if (ch < ' ') continue;
        value += ch;
      }
    };
    const onEnd = (): void => finish(null);
    input.on('data', onData);
    input.on('end', onEnd);
  });
}

/** Where prompts come from. */
export interface PromptIo {
  stdin: TerminalInput;
  /** Prompts and progress (stderr, so stdout stays the report). */
  err: (text: string) => void;
  /** Like err, without a newline. */
  errRaw: (text: string) => void;
}

/** The interactive pieces the repair commands need. */
export interface Prompts {
  /** Can we ask questions on a terminal? */
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  password(label: string): Promise<string | null>;
  /** Wait for Enter; false on end of input. */
  enter(label: string): Promise<boolean>;
}

/**
 * Prompts over standard input. With `passwordStdin` each password attempt takes the next line
 * of standard input (which is then not a terminal for anything else).
 */
export function createPrompts(io: PromptIo, opts: { passwordStdin: boolean }): Prompts {
  const lines = new LineReader(io.stdin);
  const tty = io.stdin.isTTY === true && !opts.passwordStdin;
  return {
    interactive: tty,
    async confirm(question) {
      if (!tty) return false;
      io.errRaw(`${question} [y/N] `);
      const answer = await lines.readLine();
      return answer !== null && /^y(es)?$/i.test(answer.trim());
    },
    async password(label) {
      if (opts.passwordStdin) return lines.readLine();
      if (!tty) throw new NoTerminalError('no terminal to ask for the password on: pipe it in with --password-stdin');
      io.errRaw(label);
      return readHiddenLine(io.stdin, io.errRaw);
    },
    async enter(label) {
      if (!tty) return false;
      io.errRaw(label);
      return (await lines.readLine()) !== null;
    },
  };
}

/** A prompt was needed but there is no terminal (exit 2). */
export class NoTerminalError extends Error {
  override name = 'NoTerminalError';
}

/**
 * The CLI's UIA prompter: accepts the recommended flow (printing what is offered), asks for the
 * password, prints fallback and approval URLs. Without a terminal, a fallback stage is retried
 * every `pollMs` (the driver resends the request with the session).
 */
export function cliUiaPrompter(prompts: Prompts, err: (text: string) => void, opts: { pollMs: number; host: string; sleep?: (ms: number) => Promise<void> }): UiaPrompter {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let lastApprovalNote = -1;
  return {
    async flowsOffered(offer: UiaOffer) {
      const flows = offer.flows.map((f) => f.stages.join(' → ')).join('; ');
      err(terminalSafe(`The homeserver asks you to confirm this change (offered: ${flows || 'nothing usable'}).`));
      if (offer.message !== undefined) err(terminalSafe(`  The homeserver says: ${offer.message}`));
      return offer.recommended;
    },
    async askPassword(attempt: PasswordAttempt) {
      if (attempt.error !== undefined) err(terminalSafe(`The password was not accepted: ${attempt.error}`));
      // Name where the password goes: the person checks it is their homeserver before typing.
      return prompts.password(terminalSafe(`Password for ${attempt.userId}, sent to ${opts.host}: `));
    },
    async openFallback(url: string, stage: string) {
      err(terminalSafe(`Complete the step "${stage}" in a browser: ${url}`));
      const warning = pageWarning(url);
      if (warning !== undefined) err(warning);
      if (prompts.interactive) return prompts.enter('Press Enter when you are done (Ctrl-D to cancel). ');
      err(`No terminal: checking again in ${Math.round(opts.pollMs / 1000)} s.`);
      await sleep(opts.pollMs);
      return true;
    },
    async openApproval(url: string, stage: string) {
      err(terminalSafe(`Approve the reset (${stage}) in your account settings: ${url}`));
      const warning = pageWarning(url);
      if (warning !== undefined) err(warning);
      err('Waiting for the approval (the request is retried until the homeserver accepts it)…');
    },
    onWaiting(ms: number) {
      err(`The homeserver asked us to wait ${Math.ceil(ms / 1000)} s…`);
    },
    onState(state: UiaState) {
      if (state.phase === 'approval') {
        const minute = Math.floor(state.elapsedMs / 60_000);
        if (minute !== lastApprovalNote && minute > 0) err(`Still waiting for the approval (${minute} min)…`);
        lastApprovalNote = minute;
      }
    },
  };
}
