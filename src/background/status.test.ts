// readStatus and the early read (docs/design.md#early-status): an inspection started beside whoami
// is used once, by the first plain readStatus of the session it was adopted for; a read with a
// secret, a second read, or another session reads afresh. Against the core's fake homeserver.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrixClient } from '../core/matrix/client.ts';
import { startFakeHomeserver, type FakeHomeserver } from '../core/matrix/fake-homeserver.test.ts';
import { healthyView, serveView, USER } from '../core/inspect/fixture.test.ts';
import type { StoredSession } from '../ext/storage.ts';
import { adoptEarlyInspection, lastDiagnostic, lastRawKeysQuery, readStatus, startEarlyInspection } from './status.ts';

let hs: FakeHomeserver;
before(async () => {
  hs = await startFakeHomeserver();
  hs.handle(serveView(await healthyView()));
});
after(() => hs.close());
beforeEach(() => { hs.requests.length = 0; });

const client = () => createMatrixClient({ baseUrl: hs.url, accessToken: 'tok_secret_123', fetch });
const session = (sessionId: string): StoredSession => ({ sessionId, homeserver: hs.url, accessToken: 'tok_secret_123', userId: USER, deviceId: 'DEVICEONE', app: 'Element' });

test('the early read is used by the first plain readStatus of its session, once', async () => {
  const early = startEarlyInspection(client(), USER, 'DEVICEONE');
  adoptEarlyInspection('S1', early);
  await early;
  const sentEarly = hs.requests.length;
  assert.ok(sentEarly >= 7, `${sentEarly} requests for the early read`);

  const first = await readStatus(session('S1'), client(), {});
  assert.equal(hs.requests.length, sentEarly, 'no request of its own');
  assert.equal(first.report.userId, USER);
  assert.ok(first.report.devices.some((d) => d.deviceId === 'DEVICEONE' && d.isThisDevice));
  // The raw views and the diagnostic come from this read.
  assert.notEqual(lastRawKeysQuery('S1'), null);
  assert.doesNotMatch(lastDiagnostic('S1', '2026-01-01T00:00:00Z') ?? '', /tok_secret_123/);

  await readStatus(session('S1'), client(), {});
  assert.ok(hs.requests.length > sentEarly, 'the second read fetches');
});

test('a read with a recovery key, or for another session, does not use an early read', async () => {
  const early = startEarlyInspection(client(), USER, 'DEVICEONE');
  adoptEarlyInspection('S2', early);
  await early;
  let before = hs.requests.length;
  await readStatus(session('S3'), client(), {});
  assert.ok(hs.requests.length > before, 'another session reads afresh');
  before = hs.requests.length;
  await readStatus(session('S2'), client(), { recoveryKey: 'EsTc not a key' }).catch(() => undefined);
  assert.ok(hs.requests.length > before, 'a secret-carrying read reads afresh');
  before = hs.requests.length;
  await readStatus(session('S2'), client(), {});
  assert.ok(hs.requests.length > before, 'the early read was dropped by the secret-carrying read');
});
