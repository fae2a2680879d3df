import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { encryptKeysExport, exportFormOf, exportKeysFile, generateCrossSigningKeys, nobleEd25519, parseKeysExportFile, readKeysExportFile } from '../core/index.ts';
import { ALICE, startScriptedSynapse, TOKEN, type ScriptedSynapse } from '../core/repair/fake-synapse.test.ts';
import { UsageError } from './args.ts';
import { formatPreview, runRepair, writeExportFile, type RepairCommand } from './repair.ts';
import type { PreparedRepair } from '../core/app/prepare-repair.ts';

/** Usage errors happen before any request: the fetch must never be called. */
function run(command: RepairCommand, argv: string[], env: Record<string, string> = {}, err: (t: string) => void = () => {}) {
  const noFetch = (() => { throw new NoRequestExpected('no request expected'); }) as unknown as typeof fetch;
  return runRepair(command, argv, {
    env: { XSIGN_TOKEN: 'tok_123', ...env }, fetch: noFetch, out: () => {}, err, errRaw: () => {}, stdin: new PassThrough(),
  });
}

class NoRequestExpected extends Error {}
/** Past every check made before the server: the first request was attempted (and refused by the test's fetch). */
async function reachesServer(command: RepairCommand, argv: string[], env: Record<string, string>): Promise<void> {
  const errors: string[] = [];
  assert.equal(await run(command, argv, env, (t) => errors.push(t)), 2);
  assert.match(errors.join('\n'), /Could not reach the homeserver.*no request expected/);
}

const EXPORT_PASSPHRASE = 'a long export passphrase';
/** A file holding `text`, in a fresh private directory. */
function tempFile(name: string, text?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'xsign-')), name);
  if (text !== undefined) writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** A terminal on standard input that answers each hidden prompt (matched on its label) with the next answer. */
function fakeTerminal(answers: Record<string, string[]>): { stdin: PassThrough & { isTTY: boolean; setRawMode: () => void }; errRaw: (t: string) => void; asked: string[] } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  const asked: string[] = [];
  return {
    stdin, asked,
    errRaw: (label) => {
      const key = Object.keys(answers).find((k) => label.includes(k));
      if (key === undefined) return;
      asked.push(key);
      const answer = answers[key]!.shift();
      // After the reader has attached: one line per prompt.
      setImmediate(() => stdin.write(answer === undefined ? '\u0004' : `${answer}\r`));
    },
  };
}

describe('xsign-doctor repair commands: refusals before anything is sent', () => {
  const hs = ['--homeserver', 'https://hs.example'];
  it('the password is never an argument', async () => {
    await assert.rejects(run('reset', [...hs, '--password', 'hunter2', '--export', '/tmp/x']), (e: Error) => e instanceof UsageError && /never given as an argument/.test(e.message));
    await assert.rejects(run('sign-devices', [...hs, '--password=hunter2']), UsageError);
  });
  it('reset needs a safeguard for the new private keys', async () => {
    await assert.rejects(run('reset', [...hs, '--yes']), (e: Error) => e instanceof UsageError && /--recovery-key.*--export/.test(e.message));
  });
  it('an existing export file is refused', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xsign-')), 'keys.json');
    writeFileSync(file, 'keep me');
    await assert.rejects(run('reset', [...hs, '--yes', '--export', file]), (e: Error) => /already exists/.test(e.message) && !e.message.includes(file));
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
  });
  it('store-secrets needs exactly one source; other repairs need the recovery key', async () => {
    await assert.rejects(run('store-secrets', [...hs, '--yes'], { XSIGN_RECOVERY_KEY: 'k' }), /exactly one source/);
    await assert.rejects(run('store-secrets', [...hs, '--yes', '--from-recovery-key', 'a', '--from-export', 'f'], { XSIGN_RECOVERY_KEY: 'k' }), /exactly one source/);
    await assert.rejects(run('resign-backup', [...hs, '--yes']), /--recovery-key/);
  });
  it('without a terminal, --yes is required (a piped password is never read as a confirmation)', async () => {
    await assert.rejects(run('upload', [...hs, '--password-stdin'], { XSIGN_RECOVERY_KEY: 'k' }), /--yes/);
  });
  it('export options: plaintext needs --export and excludes a passphrase file; a short passphrase or no way to ask is refused', async () => {
    await assert.rejects(run('reset', [...hs, '--yes', '--export-plaintext'], { XSIGN_RECOVERY_KEY: 'k' }), /--export-plaintext needs --export FILE/);
    const pass = tempFile('pass', `${EXPORT_PASSPHRASE}\n`);
    await assert.rejects(run('reset', [...hs, '--yes', '--export', tempFile('k.json'), '--export-plaintext', '--export-passphrase-file', pass]), /either --export-passphrase-file or --export-plaintext/);
    await assert.rejects(run('regenerate', [...hs, '--yes', '--export-passphrase-file', pass], { XSIGN_RECOVERY_KEY: 'k' }), /--export-passphrase-file needs --export FILE/);
    await assert.rejects(run('reset', [...hs, '--yes', '--export', tempFile('k.json'), '--export-passphrase-file', tempFile('short', 'short\n')]), /at least 10 characters.*Nothing was sent/);
    await assert.rejects(run('reset', [...hs, '--yes', '--export', tempFile('k.json'), '--export-passphrase-file', tempFile('empty', '\nsecond line')]), /is empty/);
    await assert.rejects(run('reset', [...hs, '--yes', '--export', tempFile('k.json'), '--export-passphrase-file', '/nonexistent/pass']), /cannot read the passphrase file/);
    await assert.rejects(run('reset', [...hs, '--yes', '--export', tempFile('k.json')]), /no terminal to ask for the export passphrase on: give --export-passphrase-file F.*--export-plaintext/);
    // The passphrase is never an argument: there is no flag that takes it.
    await assert.rejects(run('reset', [...hs, '--yes', '--export', tempFile('k.json'), '--export-passphrase', EXPORT_PASSPHRASE]), /unknown option --export-passphrase/);
  });
  it('store-secrets --from-export: an encrypted file is decrypted before anything is sent; a wrong passphrase says so', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const enc = await encryptKeysExport(exportKeysFile(keys), EXPORT_PASSPHRASE, { iterations: 100_000 });
    assert.ok(enc.ok);
    const file = tempFile('keys.json', enc.value);
    const env = { XSIGN_RECOVERY_KEY: 'k' };
    const errors: string[] = [];
    assert.equal(await run('store-secrets', [...hs, '--yes', '--from-export', file, '--export-passphrase-file', tempFile('p', 'wrong passphrase!\n')], env, (t) => errors.push(t)), 2);
    assert.match(errors.pop()!, /wrong passphrase, or the file was altered\. Nothing was sent/);
    assert.equal(await run('store-secrets', [...hs, '--yes', '--from-export', file], env, (t) => errors.push(t)), 2);
    assert.match(errors.pop()!, /is encrypted and there is no terminal.*--export-passphrase-file/);
    const tampered = JSON.parse(enc.value);
    tampered.encryption.passphrase.iterations = 1000;
    assert.equal(await run('store-secrets', [...hs, '--yes', '--from-export', tempFile('t.json', JSON.stringify(tampered)), '--export-passphrase-file', tempFile('p', EXPORT_PASSPHRASE)], env, (t) => errors.push(t)), 2);
    assert.match(errors.pop()!, /only 1000 passphrase iterations/);
    // The right passphrase gets past the file: the next thing is the first request.
    await reachesServer('store-secrets', [...hs, '--yes', '--from-export', file, '--export-passphrase-file', tempFile('p', `${EXPORT_PASSPHRASE}\r\n`)], env);
    // A plaintext file needs no passphrase.
    await reachesServer('store-secrets', [...hs, '--yes', '--from-export', tempFile('plain.json', exportKeysFile(keys))], env);
  });
  it('store-secrets --from-export on a terminal: the encrypted file\'s passphrase is asked, hidden; Ctrl-D cancels', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const enc = await encryptKeysExport(exportKeysFile(keys), EXPORT_PASSPHRASE, { iterations: 100_000 });
    assert.ok(enc.ok);
    const file = tempFile('keys.json', enc.value);
    const noFetch = (() => { throw new NoRequestExpected('no request expected'); }) as unknown as typeof fetch;
    const viaTerminal = async (answers: string[]) => {
      const terminal = fakeTerminal({ 'Passphrase of the encrypted export file': answers });
      const errors: string[] = [];
      const code = await runRepair('store-secrets', [...hs, '--yes', '--from-export', file], {
        env: { XSIGN_TOKEN: 'tok_123', XSIGN_RECOVERY_KEY: 'k' }, fetch: noFetch, out: () => {}, err: (t) => errors.push(t), errRaw: terminal.errRaw, stdin: terminal.stdin,
      });
      return { code, err: errors.join('\n'), asked: terminal.asked };
    };
    const right = await viaTerminal([EXPORT_PASSPHRASE]);
    assert.deepEqual(right.asked, ['Passphrase of the encrypted export file']);
    assert.equal(right.code, 2);
    assert.match(right.err, /Could not reach the homeserver.*no request expected/, 'decrypted, then the first request');
    const wrong = await viaTerminal(['not the passphrase']);
    assert.match(wrong.err, /wrong passphrase, or the file was altered/);
    const cancelled = await viaTerminal([]);
    assert.equal(cancelled.code, 1);
    assert.match(cancelled.err, /Cancelled: nothing was sent/);
  });
  it('writeExportFile: mode 0600, never overwrites', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xsign-')), 'keys.json');
    writeExportFile(file, 'secret');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.throws(() => writeExportFile(file, 'other'), /EEXIST/);
    assert.equal(readFileSync(file, 'utf8'), 'secret');
  });
});

describe('xsign-doctor reset: approval and fallback stages (scripted Synapse)', () => {
  /** Reads answered here (whoami, keys/query, account data, backup); writes go to the scripted server. */
  function withReads(s: ScriptedSynapse): typeof fetch {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    return (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const method = init?.method ?? 'GET';
      if (url.pathname.endsWith('/account/whoami')) return json(200, { user_id: ALICE, device_id: 'THISDEVICE' });
      if (url.pathname.endsWith('/keys/query')) {
        const { master_key: m, self_signing_key: ss, user_signing_key: us } = s.stored;
        return json(200, {
          device_keys: { [ALICE]: {} },
          ...(m ? { master_keys: { [ALICE]: m } } : {}), ...(ss ? { self_signing_keys: { [ALICE]: ss } } : {}), ...(us ? { user_signing_keys: { [ALICE]: us } } : {}),
        });
      }
      if (method === 'GET') {
        const type = /account_data\/([^/?]+)$/.exec(url.pathname)?.[1];
        const content = type === undefined ? undefined : s.accountData.get(decodeURIComponent(type));
        return content === undefined ? json(404, { errcode: 'M_NOT_FOUND', error: 'Not found' }) : json(200, content);
      }
      return fetch(input, init);
    }) as typeof fetch;
  }

  async function resetWith(mode: 'mas' | 'sso', whenUrlShown: (s: ScriptedSynapse) => void, opts: { args?: string[]; terminal?: ReturnType<typeof fakeTerminal>; passphrase?: string } = {}) {
    const s = await startScriptedSynapse(mode);
    try {
      const old = await generateCrossSigningKeys(ALICE, nobleEd25519);
      s.stored = { master_key: old.master.key, self_signing_key: old.selfSigning.key, user_signing_key: old.userSigning.key };
      const file = join(mkdtempSync(join(tmpdir(), 'xsign-')), 'keys.json');
      const err: string[] = [];
      const out: string[] = [];
      const args = opts.args ?? ['--export-passphrase-file', tempFile('pass', `${EXPORT_PASSPHRASE}\n`)];
      const code = await runRepair('reset', ['--homeserver', s.url, '--export', file, '--yes', ...args], {
        env: { XSIGN_TOKEN: TOKEN }, fetch: withReads(s), out: (t) => out.push(t), pollIntervalMs: 20,
        errRaw: opts.terminal?.errRaw ?? (() => {}), stdin: opts.terminal?.stdin ?? new PassThrough(),
        err: (t) => { err.push(t); if (/https?:\/\//.test(t)) setTimeout(() => whenUrlShown(s), 30); },
      });
      const text = readFileSync(file, 'utf8');
      const exported = await readKeysExportFile(text, opts.passphrase ?? EXPORT_PASSPHRASE, nobleEd25519);
      assert.ok(exported.ok, exported.ok ? '' : exported.error);
      return { code, err: err.join('\n'), out: out.join('\n'), stored: s.stored, exported: exported.value, oldMaster: old.master.publicKey, text };
    } finally {
      await s.close();
    }
  }

  it('m.oauth: prints the approval URL and polls until approved', async () => {
    const r = await resetWith('mas', (s) => { s.masApproved = true; });
    assert.equal(r.code, 0, r.err);
    assert.equal(exportFormOf(r.text), 'encrypted', 'the export is encrypted by default');
    assert.ok(!(await parseKeysExportFile(r.text, nobleEd25519)).ok, 'not readable as a plaintext export');
    assert.match(r.err, /Approve the reset \(m\.oauth\) in your account settings: https:\/\/account\.example\.org\/account\/\?action=org\.matrix\.cross_signing_reset/);
    const master = r.stored.master_key as { keys: Record<string, string> };
    assert.equal(Object.values(master.keys)[0], r.exported.publicKeys.master);
    assert.notEqual(r.exported.publicKeys.master, r.oldMaster);
  });

  it('fallback without a terminal: prints the page URL and re-checks until the stage is done', async () => {
    const r = await resetWith('sso', (s) => { s.ssoCompleted = true; });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /\/_matrix\/client\/v3\/auth\/m\.login\.sso\/fallback\/web\?session=/);
    assert.equal(Object.values((r.stored.master_key as { keys: Record<string, string> }).keys)[0], r.exported.publicKeys.master);
  });

  it('--export on a terminal: the passphrase is asked twice, again when the two differ, and encrypts the file', async () => {
    const passphrase = 'typed on the terminal';
    const terminal = fakeTerminal({ 'Passphrase to encrypt': ['a mismatched one', passphrase], 'same passphrase again': ['a mismatched two', passphrase] });
    const r = await resetWith('mas', (s) => { s.masApproved = true; }, { args: [], terminal, passphrase });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(terminal.asked, ['Passphrase to encrypt', 'same passphrase again', 'Passphrase to encrypt', 'same passphrase again']);
    assert.match(r.err, /The two passphrases differ/);
    assert.equal(exportFormOf(r.text), 'encrypted');
    assert.ok(!r.out.includes(passphrase) && !r.err.includes(passphrase));
    assert.equal(Object.values((r.stored.master_key as { keys: Record<string, string> }).keys)[0], r.exported.publicKeys.master);
  });

  it('--export-plaintext writes the plaintext form after a warning', async () => {
    const r = await resetWith('mas', (s) => { s.masApproved = true; }, { args: ['--export-plaintext'] });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /UNENCRYPTED: anyone who gets this file can take over your identity/);
    assert.match(r.out, /UNENCRYPTED\) before anything is sent/);
    assert.equal(exportFormOf(r.text), 'plaintext');
    assert.ok((await parseKeysExportFile(r.text, nobleEd25519)).ok);
  });
});

describe('xsign-doctor previews', () => {
  it('redact every secret ciphertext and MAC (new ones and the copies kept aside) and escape server text', () => {
    const secret = (c: string, m: string) => ({ encrypted: { KEYID: { iv: 'SVZJVklWSVZJVklWSVZJVg', ciphertext: c, mac: m } } });
    const account = (type: string) => `/_matrix/client/v3/user/%40alice%3Ahs/account_data/${type}`;
    const step = (id: string, path: string, body: unknown) => ({ id, title: id, kind: 'store-secret', request: { method: 'PUT', path, body }, uia: false, requires: [] });
    const built = {
      plan: {
        format: 'xsign-doctor.repair-plan', version: 1, id: 'p', kind: 'reset-cross-signing', title: 'Reset', userId: '@alice\u001b[2J:hs', safeguard: 'secret-storage',
        publicKeys: {}, notes: ['device \u202eevil'],
        steps: [
          // Copies kept aside hold the secret's content under `content` (plan-new-keys.ts).
          step('keep-previous', account('dev.xsign-doctor.previous.m.cross_signing.master'), { secret: 'm.cross_signing.master', content: secret('UFJFVklPVVNDSVBIRVJURVhU', 'UFJFVklPVVNNQUM') }),
          step('keep-unpublished', account('dev.xsign-doctor.unpublished.m.cross_signing.self_signing'), { secret: 'm.cross_signing.self_signing', content: secret('VU5QVUJMSVNIRURDSVBIRVI', 'VU5QVUJNQUM') }),
          step('store', account('m.cross_signing.master'), secret('TkVXQ0lQSEVSVEVYVA', 'TkVXTUFD')),
        ],
      },
      secrets: [], remarks: [],
    } as unknown as PreparedRepair;
    const text = formatPreview(built, { baseUrl: 'https://hs.example' });
    for (const value of ['UFJFVklPVVNDSVBIRVJURVhU', 'UFJFVklPVVNNQUM', 'VU5QVUJMSVNIRURDSVBIRVI', 'VU5QVUJNQUM', 'TkVXQ0lQSEVSVEVYVA', 'TkVXTUFD']) {
      assert.ok(!text.includes(value), `${value} is redacted`);
    }
    assert.equal(text.match(/"ciphertext": "\[redacted: \d+ characters\]"/g)?.length, 3);
    assert.equal(text.match(/"mac": "\[redacted: \d+ characters\]"/g)?.length, 3);
    assert.equal(text.match(/"iv": "SVZJVklWSVZJVklWSVZJVg"/g)?.length, 3);
    assert.ok(!/[\u001b\u202e]/.test(text));
    assert.match(text, /account: @alice\\x1b\[2J:hs on https:\/\/hs\.example/);
  });
});
