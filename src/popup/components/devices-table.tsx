import { useState } from 'preact/hooks';
import { visible } from '../visible-text.ts';
import { deviceMatches } from '../device-filter.ts';
import { CollapsibleSection } from './collapsible-section.tsx';
import type { DeviceReport } from '../../core/inspect/report-types.ts';
import { CrossSignedBadge, KeyText, SigBadge } from './key-text.tsx';
import { ownPath, RawToggle } from './raw-toggle.tsx';
import { VirtualRows } from './virtual-rows.tsx';

/** Drawn as a plain table up to this many; "Show all" draws every device through VirtualRows. */
const FIRST_ROWS = 200;

export function DevicesTable({ devices, showAll, onShowAll, keysQuery, userId }: { devices: DeviceReport[]; showAll: boolean; onShowAll: () => void; keysQuery: () => Promise<unknown>; userId: string }) {
  const [filter, setFilter] = useState('');
  const signed = devices.filter((d) => d.crossSigned === 'valid').length;
  const matching = devices.filter((d) => deviceMatches(filter, d));
  const rows = showAll ? matching : matching.slice(0, FIRST_ROWS);
  const head = <thead><tr><th>Device</th><th>Name</th><th>Ed25519</th><th>Self-signed</th><th>Cross-signed</th></tr></thead>;
  const row = (d: DeviceReport) => (
    <tr key={d.deviceId} data-testid="device-row" data-device-id={d.deviceId} data-cross-signed={d.crossSigned} data-this-device={String(d.isThisDevice)}>
      <td><KeyText value={d.deviceId} label="device ID" />{d.isThisDevice && <strong> (this session)</strong>}{d.collidesWithKey && <span class="bad-text"> ✗ collides with a cross-signing key</span>}</td>
      {/* Display names come from the server: rendered as text, never markup. */}
      <td>{d.displayName === null || d.displayName === undefined ? <span class="muted">—</span> : visible(d.displayName)}</td>
      <td><KeyText value={d.ed25519} label="device key" /></td>
      <td><SigBadge result={d.selfSignature} /></td>
      <td>
        <CrossSignedBadge state={d.crossSigned} testId="device-cross-signed" />
        <RawToggle label={`device ${d.deviceId}`} value={async () => ownPath(await keysQuery(), 'device_keys', userId, d.deviceId)} testId="device-raw" />
      </td>
    </tr>
  );
  return (
    <CollapsibleSection label="Devices" count={devices.length} testId="devices-section"
      heading={<>Devices <span class="muted">({signed} of {devices.length} cross-signed)</span></>}>
      {devices.length > 1 && (
        <input type="search" placeholder="Filter by name, ID or state" aria-label="Filter devices" data-testid="device-filter"
          value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      )}
      {showAll && matching.length > FIRST_ROWS ? (
        <VirtualRows items={matching} head={head} label="Devices" row={row} testId="devices-scroll" />
      ) : (
        <table>
          {head}
          <tbody>{rows.map(row)}</tbody>
        </table>
      )}
      {!showAll && matching.length > FIRST_ROWS && (
        <button type="button" onClick={onShowAll} data-testid="devices-show-all">Show all {matching.length} devices</button>
      )}
      {matching.length === 0 && <p class="muted" data-testid="device-filter-empty">No device matches the filter.</p>}
    </CollapsibleSection>
  );
}
