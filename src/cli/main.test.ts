import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runCli } from './main.ts';
import { COMMANDS } from './usage.ts';
import { REPAIR_KINDS } from '../core/repair/repair-kinds.ts';

const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Raw output with the CLI's own newlines removed: nothing a terminal acts on may be left. */
const rawControls = (text: string): boolean => RAW.test(text.replace(/\n/g, ''));

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

async function cli(argv: string[], opts: { env?: Record<string, string>; fetch?: typeof fetch; stdin?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const requests: { url: string; authorization: string | null }[] = [];
  const noFetch = (async () => { throw new Error('no request expected'); }) as unknown as typeof fetch;
  const inner = opts.fetch ?? noFetch;
  const stdin = new PassThrough();
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  const code = await runCli(argv, {
    env: opts.env ?? {}, stdin,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      requests.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return inner(input, init);
    }) as typeof fetch,
    writeOut: (t) => { stdout += t; },
    writeErr: (t) => { stderr += t; },
  });
  return { code, stdout, stderr, requests };
}

const HS = ['--homeserver', 'https://hs.example'];
const SECRET = 'hunter2-Sup3rSecret';

describe('xsign-doctor <command> --help', () => {
  for (const command of COMMANDS) {
    it(`${command} --help and -h print its usage and exit 0`, async () => {
      for (const flag of ['--help', '-h']) {
        const r = await cli([command, flag]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^Usage: xsign-doctor ${command} --homeserver URL`));
        assert.equal(r.stderr, '');
        assert.deepEqual(r.requests, []);
      }
      // After other flags too, and never a usage error for the flags around it.
      const late = await cli([command, ...HS, '--help']);
      assert.equal(late.code, 0);
      assert.match(late.stdout, /^Usage: /);
    });
  }
  it('the global help lists every command and exits 0; no command at all is exit 2', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const command of COMMANDS) assert.ok(r.stdout.includes(`xsign-doctor ${command}`), command);
    assert.equal((await cli([])).code, 2);
    const help = await cli(['help', 'sign-devices']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: xsign-doctor sign-devices /);
  });
});

describe('the repairs status names are commands', () => {
  it('every repair kind but manual-upload runs as typed (its verb\'s usage and refusals); manual-upload is no command', async () => {
    for (const kind of REPAIR_KINDS) {
      const r = await cli([kind, '--help']);
      if (kind === 'manual-upload') {
        assert.equal(r.code, 2, 'manual-upload needs key files: upload --master-key … says so');
        continue;
      }
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: xsign-doctor [a-z-]+ --homeserver URL/);
      assert.equal((await cli(['help', kind])).stdout, r.stdout);
    }
    const refused = await cli(['reset-cross-signing', ...HS], { env: { XSIGN_TOKEN: 'tok_123' } });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /reset creates new private keys and will not publish them unless they are safe/);
    assert.deepEqual(refused.requests, []);
  });
});

describe('usage errors never echo a value', () => {
  for (const command of COMMANDS) {
    it(`${command}: a stray argument is named by its position`, async () => {
      const r = await cli([command, ...HS, SECRET], { env: { XSIGN_TOKEN: 'tok_123' } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`unexpected argument #3 after ${command}`));
      assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET));
      assert.deepEqual(r.requests, []);
    });
  }
  it('an unknown command or a misspelt flag is named without its value', async () => {
    const unknown = await cli([SECRET, ...HS]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command/);
    assert.ok(!unknown.stderr.includes(SECRET));
    const misspelt = await cli(['status', ...HS, `--recovery-kye=${SECRET}`]);
    assert.equal(misspelt.code, 2);
    assert.match(misspelt.stderr, /unknown option --recovery-kye\b/);
    assert.ok(!misspelt.stderr.includes(SECRET));
    const boolean = await cli(['reset', ...HS, `--yes=${SECRET}`]);
    assert.match(boolean.stderr, /--yes takes no value/);
    assert.ok(!boolean.stderr.includes(SECRET));
  });
});

describe('no output ever repeats a secret-looking value (fuzzed argument lists)', () => {
  const FLAGS = [
    '--homeserver', '--token', '--token-file', '--recovery-key', '--recovery-key-file', '--passphrase', '--passphrase-file',
    '--from-recovery-key', '--from-recovery-key-file', '--from-passphrase', '--from-passphrase-file', '--from-export',
    '--json', '--diagnostic', '--yes', '--dry-run', '--password-stdin', '--export', '--devices', '--master-key', '--pasword', '--password',
  ];
  it('whatever the flags, values and positions, the secret is never printed', async () => {
    const unreachable = (async () => { throw new TypeError('fetch failed'); }) as unknown as typeof fetch;
    const word = fc.oneof(
      fc.constantFrom(...FLAGS), fc.constant(SECRET), fc.constantFrom(...FLAGS).map((f) => `${f}=${SECRET}`), fc.constant('https://hs.example'), fc.constant('-'),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...COMMANDS, SECRET), fc.array(word, { maxLength: 8 }), async (command, rest) => {
      const r = await cli([command, ...rest], { env: { XSIGN_TOKEN: 'tok_123' }, fetch: unreachable, stdin: `${SECRET}\n` });
      assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), `${[command, ...rest].join(' ')}\n${r.stderr}`);
      assert.ok(r.code === 2 || r.code === 0, String(r.code));
    }), { numRuns: 400, seed: 7 });
  });
});

describe('server text reaches the terminal escaped', () => {
  const hostile = '\u001b[2J\u001b]0;pwned\u0007\r\u202eevil\u2066';
  it('whoami prints a hostile user ID and device ID escaped', async () => {
    const r = await cli(['whoami', ...HS], {
      env: { XSIGN_TOKEN: 'tok_123' },
      fetch: (async () => json(200, { user_id: `@a${hostile}:hs.example`, device_id: `DEV${hostile}` })) as unknown as typeof fetch,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!rawControls(r.stdout), JSON.stringify(r.stdout));
    assert.match(r.stdout, /^@a\\x1b\[2J\\x1b\]0;pwned\\x07\\x0d\\u202eevil\\u2066:hs\.example DEV\\x1b/);
  });
  it('a hostile error message from the homeserver is escaped on stderr', async () => {
    const r = await cli(['status', ...HS], {
      env: { XSIGN_TOKEN: 'tok_123' },
      fetch: (async () => json(403, { errcode: `M_FORBIDDEN${hostile}`, error: `no${hostile}\nway` })) as unknown as typeof fetch,
    });
    assert.equal(r.code, 2);
    assert.ok(!rawControls(r.stderr), JSON.stringify(r.stderr));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});

describe('secret flags: file and stdin forms, a warning for the argument forms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xsign-secret-'));
  const file = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text, { mode: 0o600 }); return p; };
  // whoami, then the user ID's well-known (client-server API §Server Discovery), which proves hs.example.
  const whoamiOk = (async (input: string | URL | Request) => (String(input).endsWith('/.well-known/matrix/client')
    ? json(200, { 'm.homeserver': { base_url: 'https://hs.example' } })
    : json(200, { user_id: '@alice:hs.example', device_id: 'DEV' }))) as unknown as typeof fetch;
  /** Authorization of each request: the token on whoami, nothing on the well-known. */
  const auth = (r: { requests: { url: string; authorization: string | null }[] }) => r.requests.map((q) => q.authorization);

  it('--token-file F: one trailing newline dropped, no warning, the value never printed', async () => {
    const r = await cli(['whoami', ...HS, '--token-file', file('token', 'syt_from_file\n')], { fetch: whoamiOk });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(auth(r), ['Bearer syt_from_file', null]);
    assert.ok(!r.stdout.includes('syt_from_file'));
  });
  it('--token-file -: read from standard input', async () => {
    const r = await cli(['whoami', ...HS, '--token-file', '-'], { fetch: whoamiOk, stdin: 'syt_from_stdin\r\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(auth(r), ['Bearer syt_from_stdin', null]);
  });
  it('--token T still works, with one warning line and without the value', async () => {
    const r = await cli(['whoami', ...HS, '--token', 'syt_in_argv'], { fetch: whoamiOk });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'warning: --token on the command line is visible to other users in process lists; use XSIGN_TOKEN or --token-file\n');
    assert.ok(!r.stdout.includes('syt_in_argv'));
  });
  it('every secret flag of every command warns in its argument form', async () => {
    const cases: [string, string, string][] = [
      ['status', '--recovery-key', 'XSIGN_RECOVERY_KEY or --recovery-key-file'],
      ['status', '--passphrase', 'XSIGN_PASSPHRASE or --passphrase-file'],
      ['sign-devices', '--recovery-key', 'XSIGN_RECOVERY_KEY or --recovery-key-file'],
      ['store-secrets', '--from-recovery-key', 'XSIGN_FROM_RECOVERY_KEY or --from-recovery-key-file'],
      ['store-secrets', '--from-passphrase', '--from-passphrase-file'],
    ];
    for (const [command, flag, advice] of cases) {
      // --homeserver missing: a usage error right after the flags are read, before any request.
      const r = await cli([command, flag, SECRET], { env: { XSIGN_TOKEN: 'tok_123' } });
      assert.equal(r.code, 2);
      assert.ok(r.stderr.startsWith(`warning: ${flag} on the command line is visible to other users in process lists; use ${advice}\n`), `${command} ${flag}: ${r.stderr}`);
      assert.ok(!r.stderr.includes(SECRET));
    }
  });
  it('refusals: both forms, stdin twice, stdin with --password-stdin, an empty or missing file', async () => {
    const token = file('t2', 'tok\n');
    const refusals: [string[], RegExp][] = [
      [['whoami', ...HS, '--token', 'x', '--token-file', token], /give --token or --token-file, not both/],
      [['status', ...HS, '--token-file', '-', '--recovery-key-file', '-'], /only one of --token-file, --recovery-key-file can read standard input/],
      [['reset', ...HS, '--recovery-key-file', '-', '--password-stdin', '--yes'], /--recovery-key-file - and --password-stdin both read standard input/],
      [['status', ...HS, '--passphrase-file', file('empty', '\n')], /the file given to --passphrase-file is empty/],
      [['store-secrets', ...HS, '--from-passphrase-file', join(dir, 'missing')], /cannot read the file given to --from-passphrase-file \(ENOENT\)/],
    ];
    for (const [argv, message] of refusals) {
      const r = await cli(argv, { env: { XSIGN_TOKEN: 'tok_123' }, stdin: `${SECRET}\n` });
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes(SECRET) && !r.stderr.includes(dir), r.stderr);
      assert.deepEqual(r.requests, []);
    }
  });
});
