import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionError, getRetryAfterMs, MatrixApiError, UiaRequiredError } from './errors.ts';
import { describeStatus, errorForResponse, retryAfterMs } from './response-errors.ts';

const label = 'POST /_matrix/client/v3/keys/query';
const map = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  errorForResponse({ label, status, headers: new Headers(headers), body, nowMs: 1_000_000 });

describe('error classes', () => {
  it('set name, keep their fields, and are Errors', () => {
    const api = new MatrixApiError('m', { status: 429, errcode: 'M_LIMIT_EXCEEDED', body: {}, retryAfterMs: 5 });
    const conn = new ConnectionError('c', { kind: 'timeout' });
    const uia = new UiaRequiredError('u', { flows: [], params: {}, completed: [], raw: {} });
    assert.deepEqual([api.name, conn.name, uia.name], ['MatrixApiError', 'ConnectionError', 'UiaRequiredError']);
    assert.ok(api instanceof Error && conn instanceof Error && uia instanceof Error);
    assert.equal(api.softLogout, false);
    assert.equal(conn.status, undefined);
    assert.equal(uia.status, 401);
  });
  it('getRetryAfterMs never throws and falls back to the default', () => {
    assert.equal(getRetryAfterMs(new MatrixApiError('m', { status: 429, errcode: 'M_LIMIT_EXCEEDED', body: {}, retryAfterMs: 7 }), 1), 7);
    for (const e of [null, undefined, 'x', new Error('x'), new ConnectionError('c', { kind: 'server' })]) assert.equal(getRetryAfterMs(e, 1), 1);
  });
});

describe('errorForResponse (the error split)', () => {
  it('maps each status/body combination to exactly one class', () => {
    const cases: [number, unknown, string][] = [
      [401, { flows: [{ stages: ['m.login.password'] }], session: 's' }, 'UiaRequiredError'],
      [401, { errcode: 'M_UNKNOWN_TOKEN', error: 'x', soft_logout: true }, 'MatrixApiError'],
      [403, { errcode: 'M_FORBIDDEN', error: 'Key ID in use' }, 'MatrixApiError'],
      [400, { errcode: 'M_INVALID_SIGNATURE' }, 'MatrixApiError'],
      [401, undefined, 'ConnectionError'],
      [404, { error: 'no errcode' }, 'ConnectionError'],
      [404, { errcode: 5 }, 'ConnectionError'],
      [500, { errcode: 'M_UNKNOWN' }, 'ConnectionError'],
      [503, undefined, 'ConnectionError'],
      [302, undefined, 'ConnectionError'],
    ];
    for (const [status, body, name] of cases) assert.equal(map(status, body).name, name, `${status} ${JSON.stringify(body)}`);
    assert.equal((map(302, undefined) as ConnectionError).kind, 'bad-response');
    assert.equal((map(404, {}) as ConnectionError).kind, 'server');
  });
  it('escapes hostile errcodes and error texts in messages', () => {
    const e = map(400, { errcode: 'M_X\n<script>', error: 'line1\nline2' });
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, /"M_X\\n<script>"/);
  });
  it('describeStatus uses a fixed table, never the server reason phrase', () => {
    assert.equal(describeStatus(502), '502 Bad Gateway');
    assert.equal(describeStatus(599), 'HTTP 599');
  });
});

describe('retryAfterMs', () => {
  const h = (v?: string) => new Headers(v === undefined ? {} : { 'Retry-After': v });
  it('prefers the Retry-After header (seconds or HTTP date), then retry_after_ms', () => {
    assert.equal(retryAfterMs(h('2'), { retry_after_ms: 9000 }, 0), 2000);
    assert.equal(retryAfterMs(h(new Date(1_005_000).toUTCString()), undefined, 1_000_000), 5000);
    assert.equal(retryAfterMs(h(), { retry_after_ms: 1500.2 }, 0), 1501);
  });
  it('ignores garbage', () => {
    for (const body of [{ retry_after_ms: -1 }, { retry_after_ms: '100' }, { retry_after_ms: Infinity }, null, 'x']) {
      assert.equal(retryAfterMs(h('soon'), body, 0), undefined, JSON.stringify(body));
    }
  });
});
