import { visible } from '../visible-text.ts';
import type { DeviceReport } from '../../core/inspect/report-types.ts';
import { KeyText, SigBadge } from './key-text.tsx';
import { ownPath, RawToggle } from './raw-toggle.tsx';
import { VirtualRows } from './virtual-rows.tsx';

/** Drawn as a plain table up to this many; "Show all" draws every device through VirtualRows. */
const FIRST_ROWS = 200;

export function DevicesTable({ devices, showAll, onShowAll, keysQuery, userId }: { devices: DeviceReport[]; showAll: boolean; onShowAll: () => void; keysQuery: () => Promise<unknown>; userId: string }) {
  const signed = devices.filter((d) => d.crossSigned === 'valid').length;
  const rows = showAll ? devices : devices.slice(0, FIRST_ROWS);
  const head = <thead><tr><th>Device</th><th>Name</th><th>Ed25519</th><th>Self-signed</th><th>Cross-signed</th></tr></thead>;
  const row = (d: DeviceReport) => (
    <tr key={d.deviceId} data-testid="device-row" data-device-id={d.deviceId} data-cross-signed={d.crossSigned} data-this-device={String(d.isThisDevice)}>
      <td><KeyText value={d.deviceId} label="device ID" />{d.isThisDevice && <strong> (this session)</strong>}{d.collidesWithKey && <span class="bad-text"> ✗ collides with a cross-signing key</span>}</td>
      {/* Display names come from the server: rendered as text, never markup. */}
      <td>{d.displayName === null || d.displayName === undefined ? <span class="muted">—</span> : visible(d.displayName)}</td>
      <td><KeyText value={d.ed25519} label="device key" /></td>
      <td><SigBadge result={d.selfSignature} /></td>
      <td>
        <SigBadge result={d.crossSigned} testId="device-cross-signed" />
        <RawToggle label={`device ${d.deviceId}`} value={async () => ownPath(await keysQuery(), 'device_keys', userId, d.deviceId)} testId="device-raw" />
      </td>
    </tr>
  );
  return (
    <section aria-label="Devices">
      <h2>Devices <span class="muted">({signed} of {devices.length} cross-signed)</span></h2>
      {showAll && devices.length > FIRST_ROWS ? (
        <VirtualRows items={devices} head={head} label="Devices" row={row} testId="devices-scroll" />
      ) : (
        <table>
          {head}
          <tbody>{rows.map(row)}</tbody>
        </table>
      )}
      {!showAll && devices.length > FIRST_ROWS && (
        <button type="button" onClick={onShowAll} data-testid="devices-show-all">Show all {devices.length} devices</button>
      )}
    </section>
  );
}
