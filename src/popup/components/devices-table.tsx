import { useState } from 'preact/hooks';
import { visible } from '../visible-text.ts';
import { deviceMatches } from '../device-filter.ts';
import { CollapsibleSection } from './collapsible-section.tsx';
import type { DeviceReport } from '../../core/inspect/report-types.ts';
import { CrossSignedBadge, KeyText, SigBadge } from './key-text.tsx';
import { ownPath, RawToggle } from './raw-toggle.tsx';
import { VirtualRows } from './virtual-rows.tsx';
import { t } from '../i18n.ts';

/** Drawn as a plain table up to this many; "Show all" draws every device through VirtualRows. */
const FIRST_ROWS = 200;

export function DevicesTable({ devices, showAll, onShowAll, keysQuery, userId }: { devices: DeviceReport[]; showAll: boolean; onShowAll: () => void; keysQuery: () => Promise<unknown>; userId: string }) {
  const [filter, setFilter] = useState('');
  const signed = devices.filter((d) => d.crossSigned === 'valid').length;
  const matching = devices.filter((d) => deviceMatches(filter, d));
  const rows = showAll ? matching : matching.slice(0, FIRST_ROWS);
  const head = <thead><tr><th>{t('deviceHeading')}</th><th>{t('colName')}</th><th>{t('colEd25519')}</th><th>{t('colSelfSigned')}</th><th>{t('colCrossSigned')}</th></tr></thead>;
  const row = (d: DeviceReport) => (
    <tr key={d.deviceId} data-testid="device-row" data-device-id={d.deviceId} data-cross-signed={d.crossSigned} data-this-device={String(d.isThisDevice)}>
      <td><KeyText value={d.deviceId} label={t('deviceId')} />{d.isThisDevice && <strong>{t('thisSessionParen')}</strong>}{d.collidesWithKey && <span class="bad-text">{t('collidesWithKey')}</span>}</td>
      {/* Display names come from the server: rendered as text, never markup. */}
      <td>{d.displayName === null || d.displayName === undefined ? <span class="muted">—</span> : visible(d.displayName)}</td>
      <td><KeyText value={d.ed25519} label={t('deviceKey')} /></td>
      <td><SigBadge result={d.selfSignature} /></td>
      <td>
        <CrossSignedBadge state={d.crossSigned} testId="device-cross-signed" />
        <RawToggle label={t('deviceNamed', d.deviceId)} value={async () => ownPath(await keysQuery(), 'device_keys', userId, d.deviceId)} testId="device-raw" />
      </td>
    </tr>
  );
  return (
    <CollapsibleSection label={t('devices')} count={devices.length} testId="devices-section"
      heading={<>{t('devices')} <span class="muted">{t('devicesCrossSignedOf', signed, devices.length)}</span></>}>
      {devices.length > 1 && (
        <input type="search" placeholder={t('filterByNameIdState')} aria-label={t('filterDevices')} data-testid="device-filter"
          value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      )}
      {showAll && matching.length > FIRST_ROWS ? (
        <VirtualRows items={matching} head={head} label={t('devices')} row={row} testId="devices-scroll" />
      ) : (
        <table>
          {head}
          <tbody>{rows.map(row)}</tbody>
        </table>
      )}
      {!showAll && matching.length > FIRST_ROWS && (
        <button type="button" onClick={onShowAll} data-testid="devices-show-all">{t('showAllDevices', matching.length)}</button>
      )}
      {matching.length === 0 && <p class="muted" data-testid="device-filter-empty">{t('noDeviceMatches')}</p>}
    </CollapsibleSection>
  );
}
