/**
 * The homeserver an e2e test talks to: the one the test command started once for the whole run
 * (passed in XSIGN_SYNAPSE), or — when a test file is run on its own — one started just for it.
 */
import { allowOrigin } from './allowed-origins.ts';
import { startSynapse, type SynapseHandle } from './synapse.ts';

export type SynapseInfo = Pick<SynapseHandle, 'baseUrl' | 'serverName' | 'registrationSharedSecret'>;

export const SYNAPSE_ENV = 'XSIGN_SYNAPSE';

let own: Promise<SynapseInfo> | undefined;

export function testSynapse(): Promise<SynapseInfo> {
  const fromEnv = process.env[SYNAPSE_ENV];
  if (fromEnv) return Promise.resolve(allowed(JSON.parse(fromEnv) as SynapseInfo));
  // Stopped by the harness's exit hook when this test process ends (an after() hook would stop
  // it at the end of the first suite that asked).
  own ??= startSynapse().then((hs) => {
    hs.unref(); // otherwise the child keeps this test process alive and the exit hook never runs
    return allowed(hs);
  });
  return own;
}

/** The extension may talk to the test homeserver: it is every session's homeserver. */
function allowed<T extends SynapseInfo>(hs: T): T {
  allowOrigin(hs.baseUrl, 'homeserver');
  // Its server name's well-known lookup (no token: the leak watch fails any token sent there).
  allowOrigin(`http://${hs.serverName}`, 'server');
  return hs;
}
