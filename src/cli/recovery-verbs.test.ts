// The recovery verbs' refusals before anything is sent (the fetch throws if called): an existing
// --recovery-key-out file, a weak new passphrase, a missing recovery key, an empty device list.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { UsageError } from './args.ts';
import { runRepair, writeExportFile, type RepairCommand } from './repair.ts';
import { commandOf } from './repair-verbs.ts';

function run(command: RepairCommand, argv: string[], env: Record<string, string> = {}) {
  const noFetch = (() => { throw new Error('no request expected'); }) as unknown as typeof fetch;
  return runRepair(command, argv, {
    env: { XSIGN_TOKEN: 'tok_123', ...env }, fetch: noFetch, out: () => {}, err: () => {}, errRaw: () => {}, stdin: new PassThrough(),
  });
}
const hs = ['--homeserver', 'https://hs.example', '--yes'];
const dir = () => mkdtempSync(join(tmpdir(), 'xsign-recovery-'));

describe('recovery verbs: refusals before anything is sent', () => {
  it('setup-secret-storage never overwrites --recovery-key-out', async () => {
    const file = join(dir(), 'recovery-key.txt');
    writeFileSync(file, 'keep me');
    await assert.rejects(run('setup-secret-storage', [...hs, '--recovery-key-out', file]), (e: Error) => e instanceof UsageError && /already exists/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
  });

  it('the recovery-key file is created 0600 and a second write to it fails (O_EXCL)', () => {
    const file = join(dir(), 'key.txt');
    writeExportFile(file, 'EsT1 abcd\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.throws(() => writeExportFile(file, 'other'), /EEXIST/);
    assert.equal(readFileSync(file, 'utf8'), 'EsT1 abcd\n');
  });

  it('setup-secret-storage refuses a weak --new-passphrase-file, and an empty one', async () => {
    const weak = join(dir(), 'weak');
    writeFileSync(weak, 'short\n');
    await assert.rejects(run('setup-secret-storage', [...hs, '--new-passphrase-file', weak]), (e: Error) => e instanceof UsageError && /new passphrase/.test(e.message));
    const empty = join(dir(), 'empty');
    writeFileSync(empty, '\n');
    await assert.rejects(run('setup-secret-storage', [...hs, '--new-passphrase-file', empty]), /is empty/);
  });

  it('set-default-key and reset-backup need the recovery key; sign-out-device does not, but needs a session named when --devices is given', async () => {
    await assert.rejects(run('set-default-key', hs), /needs the secret-storage key/);
    await assert.rejects(run('reset-backup', hs), /needs the secret-storage key/);
    await assert.rejects(run('sign-out-device', [...hs, '--devices', ',']), /name at least one session/);
  });

  it('create-secret-storage (the name status prints) runs setup-secret-storage', () => {
    assert.equal(commandOf('create-secret-storage'), 'setup-secret-storage');
    assert.equal(commandOf('reset-backup'), 'reset-backup');
  });
});
