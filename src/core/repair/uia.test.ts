import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { nobleEd25519 } from '../ed25519.ts';
import { createMatrixClient } from '../matrix/client.ts';
import { ConnectionError } from '../matrix/errors.ts';
import { v3 } from '../matrix/url.ts';
import type { AuthenticationData, DeviceSigningUploadRequest } from '../matrix/types.ts';
import { RepairCancelledError, UiaFailedError } from './errors.ts';
import { ALICE, PASSWORD, SESSION, startScriptedSynapse, TOKEN, type ScriptedSynapse, type UiaMode } from './fake-synapse.test.ts';
import { generateCrossSigningKeys } from './keys.ts';
import { recordingPrompter, type PrompterScript } from './prompter.test.ts';
import { runWithUia, withAuth, type UiaOptions } from './uia.ts';
import { buildOffer, fallbackUrl } from './uia-flows.ts';

let s: ScriptedSynapse;
let body: DeviceSigningUploadRequest;
const OLD_MASTER = { user_id: ALICE, usage: ['master'], keys: { 'ed25519:old': 'old' } };

async function setUp(mode: UiaMode, existingMaster = true): Promise<void> {
  s = await startScriptedSynapse(mode);
  if (existingMaster) s.stored.master_key = OLD_MASTER;
  const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
  body = { master_key: keys.master.key, self_signing_key: keys.selfSigning.key, user_signing_key: keys.userSigning.key };
}
afterEach(() => s?.close());

function upload(script: PrompterScript = {}, opts: Partial<UiaOptions> = {}) {
  // Counts requests as the client issues them: the stand-in records a request only once its body
  // has arrived, which on a loaded machine can be after a cancel that came later.
  let issued = 0;
  const countingFetch: typeof fetch = (input, init) => { issued += 1; return fetch(input, init); };
  const client = createMatrixClient({ baseUrl: s.url, fetch: countingFetch, accessToken: TOKEN });
  const ui = recordingPrompter(script);
  const run = runWithUia((auth) => client.request('POST', v3('keys', 'device_signing', 'upload'), { body: withAuth(body, auth), ...(opts.signal ? { signal: opts.signal } : {}) }),
    ui, { baseUrl: s.url, userId: ALICE, pollIntervalMs: 10, ...opts });
  return { ui, run, issued: () => issued };
}

/** The continuation must be the first body, byte for byte, with `auth` appended (docs/matrix-api.md#uia-continue). */
function assertSameBodyPlusAuth(first: string, later: string, auth: AuthenticationData): void {
  assert.equal(later, `${first.slice(0, -1)},"auth":${JSON.stringify(auth)}}`);
}

describe('runWithUia against a scripted stand-in for Synapse', () => {
  it('asks nothing when the first request succeeds (first upload, MSC3967)', async () => {
    await setUp('password', false);
    const { ui, run } = upload();
    assert.deepEqual(await run, {});
    assert.equal(s.uploads().length, 1);
    assert.equal(JSON.parse(s.uploads()[0]!.body).auth, undefined);
    assert.deepEqual([ui.offers.length, ui.passwordAttempts.length], [0, 0]);
    assert.deepEqual(ui.states.map((x) => x.phase), ['sending', 'done']);
  });

  it('password: shows the offered flows first, then sends the full body + auth', async () => {
    await setUp('password');
    const { ui, run } = upload({ passwords: [PASSWORD] });
    await run;
    assert.equal(ui.offers.length, 1);
    assert.deepEqual(ui.offers[0]!.flows, [{ index: 0, stages: ['m.login.password'], handling: ['password'] }]);
    assert.equal(ui.offers[0]!.recommended, 0);
    assert.deepEqual(ui.passwordAttempts, [{ attempt: 1, userId: ALICE }]);
    const [first, second] = s.uploads();
    assertSameBodyPlusAuth(first!.body, second!.body,
      { type: 'm.login.password', identifier: { type: 'm.id.user', user: ALICE }, password: PASSWORD, session: SESSION });
    assert.deepEqual(s.stored.master_key, body.master_key);
    // The preflight came before the prompt.
    const phases = ui.states.map((x) => x.phase);
    assert.ok(phases.indexOf('choosing-flow') < phases.indexOf('password'));
  });

  it('wrong password (401 M_FORBIDDEN): asks again in place, resending the identical body + auth + session', async () => {
    await setUp('password');
    const { ui, run } = upload({ passwords: ['hunter2', PASSWORD] });
    await run;
    assert.deepEqual(ui.passwordAttempts, [
      { attempt: 1, userId: ALICE },
      { attempt: 2, userId: ALICE, error: 'Invalid username or password' },
    ]);
    assert.equal(ui.offers.length, 1, 'the flow is chosen once');
    const [first, wrong, right] = s.uploads();
    const auth = (password: string) => ({ type: 'm.login.password', identifier: { type: 'm.id.user', user: ALICE }, password, session: SESSION });
    assertSameBodyPlusAuth(first!.body, wrong!.body, auth('hunter2'));
    assertSameBodyPlusAuth(first!.body, right!.body, auth(PASSWORD));
    assert.equal(s.uploads().length, 3);
  });

  it('gives up after maxPasswordAttempts wrong passwords', async () => {
    await setUp('password');
    const { ui, run } = upload({ passwords: ['nope'] }, { maxPasswordAttempts: 3 });
    await assert.rejects(run, (e: unknown) => e instanceof UiaFailedError && e.code === 'too-many-attempts');
    assert.equal(ui.passwordAttempts.length, 3);
  });

  it('429 M_LIMIT_EXCEEDED: waits retry_after_ms (reported to the UI), then retries the same request without asking again', async () => {
    await setUp('password');
    s.rateLimit.upload = 2;
    s.rateLimit.retryAfterMs = 60;
    const started = Date.now();
    const { ui, run } = upload({ passwords: [PASSWORD] });
    await run;
    assert.ok(Date.now() - started >= 120, 'both waits were honoured');
    assert.deepEqual(ui.waits, [60, 60]);
    assert.equal(ui.passwordAttempts.length, 1);
    const [, limited1, limited2, accepted] = s.uploads();
    assert.equal(limited1!.body, accepted!.body);
    assert.equal(limited2!.body, accepted!.body);
    assert.ok(ui.states.some((x) => x.phase === 'rate-limited' && x.waitMs === 60));
  });

  it('429 asking for a longer wait than allowed is rethrown, not honoured', async () => {
    await setUp('password');
    s.rateLimit.upload = 1;
    s.rateLimit.retryAfterMs = 5_000;
    const { run } = upload({ passwords: [PASSWORD] }, { rateLimit: { maxWaitMs: 1_000 } });
    await assert.rejects(run, (e: unknown) => e instanceof Error && e.name === 'MatrixApiError' && (e as { retryAfterMs?: number }).retryAfterMs === 5_000);
  });

  it('m.login.dummy: completes without asking anything', async () => {
    await setUp('dummy');
    const { ui, run } = upload();
    await run;
    assert.equal(ui.passwordAttempts.length, 0);
    const [first, second] = s.uploads();
    assertSameBodyPlusAuth(first!.body, second!.body, { type: 'm.login.dummy', session: SESSION });
  });

  it('fallback stage (m.login.sso): opens <base>/_matrix/client/v3/auth/<type>/fallback/web?session=…, then resends with {session}', async () => {
    await setUp('sso');
    const { ui, run } = upload({ openFallback: async () => { s.ssoCompleted = true; return true; } });
    await run;
    assert.deepEqual(ui.fallbacks, [{ url: `${s.url}/_matrix/client/v3/auth/m.login.sso/fallback/web?session=${SESSION}`, stage: 'm.login.sso' }]);
    const [first, second] = s.uploads();
    assertSameBodyPlusAuth(first!.body, second!.body, { session: SESSION });
  });

  it('fallback polling: a page that never reports back still finishes once the stage is done, and the UI is told', async () => {
    await setUp('sso');
    let over: AbortSignal | undefined;
    // The page's authDone never arrives (Firefox: no opener) and nobody presses Done.
    const { ui, run } = upload({ openFallback: (_u, _s, signal) => { over = signal; return new Promise<boolean>(() => {}); } }, { fallbackPollMs: 20 });
    // The stage is done once the server has been polled twice more (a count, not a time: no
    // timing on a loaded machine decides how many polls happen first).
    const flip = setInterval(() => { if (s.uploads().length >= 3) { s.ssoCompleted = true; clearInterval(flip); } }, 5);
    await run;
    assert.equal(ui.fallbacks.length, 1);
    assert.equal(over?.aborted, true, 'the UI learns the page is no longer needed');
    const uploads = s.uploads();
    assert.ok(uploads.length >= 4, `polled before the stage was done (${uploads.length} uploads)`);
    for (const later of uploads.slice(1)) assertSameBodyPlusAuth(uploads[0]!.body, later.body, { session: SESSION });
  });

  it('fallback polling: the page answering first wins, with exactly one resend after it', async () => {
    await setUp('sso');
    const { run } = upload({ openFallback: async () => { s.ssoCompleted = true; return true; } }, { fallbackPollMs: 60_000 });
    await run;
    assert.equal(s.uploads().length, 2);
  });

  it('fallback polling: cancelling while polling rejects with RepairCancelledError and stops sending', async () => {
    await setUp('sso');
    const abort = new AbortController();
    const { run, issued } = upload({ openFallback: () => new Promise<boolean>(() => {}) }, { fallbackPollMs: 20, signal: abort.signal });
    setTimeout(() => abort.abort(), 70);
    await assert.rejects(run, (e: unknown) => e instanceof RepairCancelledError);
    const sent = issued();
    assert.ok(sent >= 2, `polled before the cancel (${sent} requests)`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(issued(), sent, 'nothing sent after the cancel');
  });

  it('fallback: offers the page again when the stage is still not done, then gives up', async () => {
    await setUp('sso');
    const { ui, run } = upload({}, { maxFallbackAttempts: 2 });
    await assert.rejects(run, (e: unknown) => e instanceof UiaFailedError && e.code === 'too-many-attempts');
    assert.equal(ui.fallbacks.length, 2);
  });

  it('fallback URLs percent-encode the stage and the session', () => {
    assert.equal(fallbackUrl('https://hs.example/prefix/', 'org.example/x y', 'a&b=c'),
      'https://hs.example/prefix/_matrix/client/v3/auth/org.example%2Fx%20y/fallback/web?session=a%26b%3Dc');
  });

  for (const mode of ['mas', 'mas-legacy'] as const) {
    it(`${mode === 'mas' ? 'm.oauth (Synapse ≥ 1.146 + MAS)' : 'org.matrix.cross_signing_reset (Synapse 1.115–1.145 + MAS)'}: opens the approval URL and polls until the server flips to 200`, async () => {
      await setUp(mode);
      const { ui, run } = upload({ openApproval: async () => { setTimeout(() => { s.masApproved = true; }, 80); } });
      const result = await run;
      assert.deepEqual(result, {});
      const stage = mode === 'mas' ? 'm.oauth' : 'org.matrix.cross_signing_reset';
      assert.deepEqual(ui.approvals, [{ url: 'https://account.example.org/account/?action=org.matrix.cross_signing_reset', stage }]);
      assert.equal(ui.offers[0]!.message?.startsWith('To reset your end-to-end encryption'), true);
      const uploads = s.uploads();
      const polls = uploads.length - 1;
      assert.ok(polls >= 2, `polled ${polls} times`);
      for (const later of uploads.slice(1)) assertSameBodyPlusAuth(uploads[0]!.body, later.body, { session: 'dummy' });
      assert.ok(ui.states.some((x) => x.phase === 'approval'));
      assert.deepEqual(s.stored.master_key, body.master_key);
      assert.equal(ui.passwordAttempts.length, 0);
    });
  }

  it('approval: a network blip while polling is tolerated', async () => {
    await setUp('mas');
    const { run } = upload({ openApproval: async () => { s.dropUploads = 2; setTimeout(() => { s.masApproved = true; }, 60); } });
    assert.deepEqual(await run, {});
    assert.equal(s.dropUploads, 0, 'both polls were dropped');
    assert.deepEqual(s.stored.master_key, body.master_key);
  });

  it('approval: gives up after approvalTimeoutMs', async () => {
    await setUp('mas');
    const { run } = upload({}, { approvalTimeoutMs: 60 });
    await assert.rejects(run, (e: unknown) => e instanceof UiaFailedError && e.code === 'approval-timeout');
  });

  it('cancellation: the AbortSignal stops approval polling with RepairCancelledError', async () => {
    await setUp('mas');
    const controller = new AbortController();
    const { run } = upload({ openApproval: async () => { setTimeout(() => controller.abort(), 50); } }, { signal: controller.signal });
    await assert.rejects(run, (e: unknown) => e instanceof RepairCancelledError && e.reason === 'aborted');
    assert.equal(s.masApproved, false);
  });

  it('cancellation: a pending password prompt is abandoned when the signal fires', async () => {
    await setUp('password');
    const controller = new AbortController();
    const { run } = upload({ askPassword: () => { setTimeout(() => controller.abort(), 10); return new Promise(() => {}); } }, { signal: controller.signal });
    await assert.rejects(run, (e: unknown) => e instanceof RepairCancelledError && e.reason === 'aborted');
    assert.equal(s.uploads().length, 1);
  });

  it('cancellation: declining the password prompt or the flow', async () => {
    await setUp('password');
    await assert.rejects(upload({ passwords: [null] }).run, (e: unknown) => e instanceof RepairCancelledError && e.reason === 'password-declined');
    await assert.rejects(upload({ flowsOffered: async () => null }).run, (e: unknown) => e instanceof RepairCancelledError && e.reason === 'flow-declined');
  });

  it('a lost response is an error for the caller; resending the identical body then succeeds without any prompt', async () => {
    await setUp('password');
    s.loseNextSuccess = true;
    const first = upload({ passwords: [PASSWORD] });
    await assert.rejects(first.run, (e: unknown) => e instanceof ConnectionError);
    assert.deepEqual(s.stored.master_key, body.master_key, 'the server did store the keys');
    const retry = upload({ passwords: [PASSWORD] });
    assert.deepEqual(await retry.run, {});
    assert.deepEqual([retry.ui.offers.length, retry.ui.passwordAttempts.length], [0, 0]);
    assert.equal(JSON.parse(s.uploads().at(-1)!.body).auth, undefined);
  });
});

describe('flow choice', () => {
  const challenge = (flows: string[][], completed: string[] = []) =>
    ({ flows: flows.map((stages) => ({ stages })), params: {}, completed, raw: {} });
  it('prefers password, then dummy, then approval, then fallback stages; fewer stages win ties', () => {
    assert.equal(buildOffer(challenge([['m.login.sso'], ['m.oauth'], ['m.login.dummy'], ['m.login.password']])).recommended, 3);
    assert.equal(buildOffer(challenge([['m.login.sso'], ['org.matrix.cross_signing_reset']])).recommended, 1);
    assert.equal(buildOffer(challenge([['m.login.recaptcha', 'm.login.dummy'], ['m.login.terms']])).recommended, 1);
    assert.equal(buildOffer(challenge([['m.login.terms', 'm.login.password']], ['m.login.terms'])).recommended, 0);
    assert.equal(buildOffer(challenge([[]])).recommended, null);
  });
  it('the UI may pick another flow than the recommended one', async () => {
    await setUp('mas');
    const { ui, run } = upload({ flowsOffered: async () => 1, openApproval: async () => { s.masApproved = true; } });
    await run;
    assert.equal(ui.offers[0]!.recommended, 0);
    assert.deepEqual(ui.approvals.map((a) => a.stage), ['org.matrix.cross_signing_reset']);
  });
  it('a pick that was not offered is refused', async () => {
    await setUp('password');
    const { run } = upload({ flowsOffered: async () => 7 });
    await assert.rejects(run, (e: unknown) => e instanceof UiaFailedError && e.code === 'no-supported-flow');
  });
});
