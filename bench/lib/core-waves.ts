/**
 * request_waves: run the shared core's inspectAccount in Node against Synapse, with the session
 * already known, and count sequential round trips from createMatrixClient's onRequest hook.
 */
import { createMatrixClient, inspectAccount } from '../../src/core/index.ts';
import { countWaves, type Interval } from './waves.ts';

export type Session = { baseUrl: string; userId: string; deviceId: string; accessToken: string };

export type CoreInspectRun = {
  waves: number;
  requests: number;
  /** Request paths per wave (user ID and key IDs shortened). */
  perWave: string[][];
  /** Wall time of inspectAccount in Node, for orientation only. */
  inspectMs: number;
  healthy: boolean;
  devicesInReport: number;
};

function shorten(url: string, userId: string): string {
  const path = new URL(url).pathname.replace(encodeURIComponent(userId), '{user}');
  return path.replace(/^\/_matrix\/client\/v3/, '').replace(/m\.secret_storage\.key\.[^/]+$/, 'm.secret_storage.key.{id}');
}

export async function measureCoreInspect(session: Session): Promise<CoreInspectRun> {
  const log: Interval[] = [];
  const client = createMatrixClient({
    baseUrl: session.baseUrl,
    accessToken: session.accessToken,
    fetch: (input, init) => fetch(input, init),
    onRequest: (info) => {
      const end = performance.now();
      log.push({ start: end - info.ms, end, label: `${info.method} ${shorten(info.url, session.userId)}` });
    },
  });
  const t0 = performance.now();
  const result = await inspectAccount(client, { userId: session.userId, deviceId: session.deviceId });
  const inspectMs = performance.now() - t0;
  if (!result.ok) throw new Error(`inspectAccount failed: ${result.error.message}`);
  const { report } = result.value;
  const waves = countWaves(log);
  return {
    ...waves,
    inspectMs,
    healthy: report.healthy,
    devicesInReport: report.devices.length,
  };
}
