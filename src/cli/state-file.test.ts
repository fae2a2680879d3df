import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBase64 } from '../core/base64.ts';
import { loadMemory, stateFilePath, VerifiedUsersState } from './state-file.ts';

const key = (n: number) => encodeBase64(new Uint8Array(32).fill(n));
const ME = { userId: '@me:example.org', homeserver: 'https://hs.example.org' };

describe('the CLI state file', () => {
  it('is --state-file, else XSIGN_STATE_FILE, else under XDG_STATE_HOME, else ~/.local/state; none without HOME', () => {
    assert.equal(stateFilePath({ XSIGN_STATE_FILE: '/e.json', HOME: '/h' }, '/f.json'), '/f.json');
    assert.equal(stateFilePath({ XSIGN_STATE_FILE: '/e.json', HOME: '/h' }), '/e.json');
    assert.equal(stateFilePath({ XDG_STATE_HOME: '/x', HOME: '/h' }), '/x/xsign-doctor/verified-users.json');
    assert.equal(stateFilePath({ XDG_STATE_HOME: 'relative', HOME: '/h' }), '/h/.local/state/xsign-doctor/verified-users.json', 'a relative XDG path is ignored');
    assert.equal(stateFilePath({}), null);
  });

  it('writes only public keys, mode 0600 in a 0700 directory, and reads them back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'xsign-state-test-')), 'nested', 'state.json');
    const warnings: string[] = [];
    new VerifiedUsersState(path, (t) => warnings.push(t)).remember(ME, [{ userId: '@bob:x.org', masterKey: key(1) }]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { formatVersion: 1, accounts: { '@me:example.org https://hs.example.org': { '@bob:x.org': key(1) } } });
    assert.equal(new VerifiedUsersState(path, (t) => warnings.push(t)).previouslyVerified(ME).get('@bob:x.org'), key(1));
    assert.deepEqual(warnings, []);
  });

  it('an absent file is an empty memory; a broken one a warning, never a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xsign-state-test-'));
    const warnings: string[] = [];
    assert.equal(Object.keys(loadMemory(join(dir, 'absent.json'), (t) => warnings.push(t)).accounts).length, 0);
    assert.equal(warnings.length, 0);
    writeFileSync(join(dir, 'broken.json'), '{not json');
    assert.equal(Object.keys(loadMemory(join(dir, 'broken.json'), (t) => warnings.push(t)).accounts).length, 0);
    assert.match(warnings.join('\n'), /is not JSON/);
    // A directory where the file should be: reading and writing fail with a warning.
    const state = new VerifiedUsersState(dir, (t) => warnings.push(t));
    state.remember(ME, [{ userId: '@bob:x.org', masterKey: key(1) }]);
    assert.match(warnings.join('\n'), /cannot write the state file/);
  });
});
