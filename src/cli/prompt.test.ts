import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { cliUiaPrompter, createPrompts, LineReader, NoTerminalError, readHiddenLine, type TerminalInput } from './prompt.ts';

function fakeTty(): TerminalInput & PassThrough & { raw: boolean[] } {
  const s = new PassThrough() as PassThrough & TerminalInput & { raw: boolean[] };
  s.isTTY = true;
  s.raw = [];
  s.setRawMode = (mode: boolean) => { s.raw.push(mode); return s; };
  return s;
}

describe('prompt', () => {
  it('LineReader: lines across chunks, CRLF, last line without newline, then null', async () => {
    const input = new PassThrough();
    const lines = new LineReader(input);
    input.write('one\r\ntw');
    assert.equal(await lines.readLine(), 'one');
    setTimeout(() => { input.write('o\nthree'); input.end(); }, 5);
    assert.equal(await lines.readLine(), 'two');
    assert.equal(await lines.readLine(), 'three');
    assert.equal(await lines.readLine(), null);
    assert.equal(await lines.readLine(), null);
  });

  it('readHiddenLine: raw mode, backspace, nothing echoed, Ctrl-C cancels', async () => {
    const tty = fakeTty();
    const written: string[] = [];
    const p = readHiddenLine(tty, (t) => written.push(t));
    tty.write('secrex\u007ft\r');
    assert.equal(await p, 'secret');
    assert.deepEqual(tty.raw, [true, false]);
    assert.deepEqual(written, ['\n']);
    const q = readHiddenLine(tty, () => {});
    tty.write('ab\u0003');
    assert.equal(await q, null);
  });

  it('--password-stdin: one line per attempt; no terminal and no flag: NoTerminalError', async () => {
    const input = new PassThrough();
    input.end('wrong\nright\n');
    const err: string[] = [];
    const ui = cliUiaPrompter(createPrompts({ stdin: input, err: (t) => err.push(t), errRaw: (t) => err.push(t) }, { passwordStdin: true }), (t) => err.push(t), { pollMs: 1, host: 'hs.example.org' });
    assert.equal(await ui.askPassword({ attempt: 1, userId: '@a:b' }), 'wrong');
    assert.equal(await ui.askPassword({ attempt: 2, userId: '@a:b', error: 'Invalid password' }), 'right');
    assert.equal(await ui.askPassword({ attempt: 3, userId: '@a:b' }), null);
    assert.ok(err.some((l) => l.includes('Invalid password')));
    assert.ok(!err.some((l) => l.includes('right') || l.includes('wrong')));
    const piped = createPrompts({ stdin: new PassThrough(), err: () => {}, errRaw: () => {} }, { passwordStdin: false });
    await assert.rejects(piped.password('Password: '), NoTerminalError);
  });

  it('the password prompt names the account and the host the password is sent to', async () => {
    const tty = fakeTty();
    const shown: string[] = [];
    const ui = cliUiaPrompter(createPrompts({ stdin: tty, err: (t) => shown.push(t), errRaw: (t) => shown.push(t) }, { passwordStdin: false }),
      (t) => shown.push(t), { pollMs: 1, host: 'matrix.example.org' });
    const answer = ui.askPassword({ attempt: 1, userId: '@alice:example.org' });
    tty.write('hunter2\r');
    assert.equal(await answer, 'hunter2');
    assert.equal(shown[0], 'Password for @alice:example.org, sent to matrix.example.org: ');
    assert.ok(!shown.some((l) => l.includes('hunter2')));
  });

  it('fallback and approval: URLs printed; Enter on a terminal, a timed re-check without one', async () => {
    const err: string[] = [];
    const slept: number[] = [];
    const noTty = cliUiaPrompter(createPrompts({ stdin: new PassThrough(), err: () => {}, errRaw: () => {} }, { passwordStdin: false }),
      (t) => err.push(t), { pollMs: 5000, host: 'hs.example.org', sleep: async (ms) => { slept.push(ms); } });
    assert.equal(await noTty.openFallback('https://hs/_matrix/client/v3/auth/m.login.sso/fallback/web?session=s', 'm.login.sso'), true);
    assert.deepEqual(slept, [5000]);
    await noTty.openApproval('https://mas/account?action=org.matrix.cross_signing_reset', 'm.oauth');
    assert.ok(err.some((l) => l.includes('fallback/web?session=s')));
    assert.ok(err.some((l) => l.includes('action=org.matrix.cross_signing_reset')));
    assert.ok(!err.some((l) => l.startsWith('Do not open')), 'https pages get no warning');
    // The homeserver is not trusted to name the page: a script or plain-http address is flagged.
    await noTty.openApproval('javascript:alert(1)', 'm.oauth');
    assert.ok(err.includes('Do not open this address: Only https pages are opened, not javascript: addresses.'), err.join('\n'));
    await noTty.openApproval('http://mas.example.org/account', 'm.oauth');
    assert.ok(err.includes('Do not open this address: The page is not served over https.'));
    const tty = fakeTty();
    const withTty = cliUiaPrompter(createPrompts({ stdin: tty, err: () => {}, errRaw: () => {} }, { passwordStdin: false }), () => {}, { pollMs: 1, host: 'hs.example.org' });
    const done = withTty.openFallback('https://hs/x', 'm.login.sso');
    tty.write('\n');
    assert.equal(await done, true);
    assert.equal(await withTty.flowsOffered({ flows: [{ index: 0, stages: ['m.login.sso'], handling: ['fallback'] }], recommended: 0, completed: [] }), 0);
  });
});
