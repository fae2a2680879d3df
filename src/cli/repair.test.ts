import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { generateCrossSigningKeys, nobleEd25519, parseKeysExportFile } from '../core/index.ts';
import { ALICE, startScriptedSynapse, TOKEN, type ScriptedSynapse } from '../core/repair/fake-synapse.test.ts';
import { UsageError } from './args.ts';
import { formatPreview, runRepair, writeExportFile, type RepairCommand } from './repair.ts';
import type { BuiltPlan } from './repair-plans.ts';

/** Usage errors happen before any request: the fetch must never be called. */
function run(command: RepairCommand, argv: string[], env: Record<string, string> = {}) {
  const noFetch = (() => { throw new Error('no request expected'); }) as unknown as typeof fetch;
  return runRepair(command, argv, {
    env: { XSIGN_TOKEN: 'tok_123', ...env }, fetch: noFetch, out: () => {}, err: () => {}, errRaw: () => {}, stdin: new PassThrough(),
  });
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

  async function resetWith(mode: 'mas' | 'sso', whenUrlShown: (s: ScriptedSynapse) => void) {
    const s = await startScriptedSynapse(mode);
    try {
      const old = await generateCrossSigningKeys(ALICE, nobleEd25519);
      s.stored = { master_key: old.master.key, self_signing_key: old.selfSigning.key, user_signing_key: old.userSigning.key };
      const file = join(mkdtempSync(join(tmpdir(), 'xsign-')), 'keys.json');
      const err: string[] = [];
      const out: string[] = [];
      const code = await runRepair('reset', ['--homeserver', s.url, '--export', file, '--yes'], {
        env: { XSIGN_TOKEN: TOKEN }, fetch: withReads(s), out: (t) => out.push(t), errRaw: () => {}, stdin: new PassThrough(), pollIntervalMs: 20,
        err: (t) => { err.push(t); if (/https?:\/\//.test(t)) setTimeout(() => whenUrlShown(s), 30); },
      });
      const exported = await parseKeysExportFile(readFileSync(file, 'utf8'), nobleEd25519);
      assert.ok(exported.ok);
      return { code, err: err.join('\n'), out: out.join('\n'), stored: s.stored, exported: exported.value, oldMaster: old.master.publicKey };
    } finally {
      await s.close();
    }
  }

  it('m.oauth: prints the approval URL and polls until approved', async () => {
    const r = await resetWith('mas', (s) => { s.masApproved = true; });
    assert.equal(r.code, 0, r.err);
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
    } as unknown as BuiltPlan;
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
