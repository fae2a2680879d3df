import { useState } from 'preact/hooks';
import { visible } from '../visible-text.ts';
import { deviceMatches } from '../device-filter.ts';
import { crossSignedWords, type CrossSigned } from '../words.ts';
import { t } from '../i18n.ts';

export type PickableDevice = { deviceId: string; displayName: string | null; signed: boolean; signable: boolean; crossSigned?: CrossSigned };

const stateOf = (d: PickableDevice): CrossSigned => d.crossSigned ?? (d.signed ? 'valid' : 'absent');

/**
 * The sign form's device checklist: a filter by name, ID or state, and select all shown / none /
 * only the unsigned ones. Devices whose own keys are not valid cannot be chosen.
 */
export function DevicePicker({ devices, chosen, onChange, legend = t('devicesToCrossSign') }: {
  devices: PickableDevice[]; chosen: ReadonlySet<string>; onChange: (next: Set<string>) => void; legend?: string;
}) {
  const [filter, setFilter] = useState('');
  const shown = devices.filter((d) => deviceMatches(filter, { deviceId: d.deviceId, displayName: d.displayName, crossSigned: stateOf(d) }));
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id); else next.add(id);
    onChange(next);
  };
  return (
    <fieldset data-testid="repair-devices">
      <legend>{legend} <span class="muted" data-testid="repair-devices-count" data-count={chosen.size}>{t('chosenOf', chosen.size, devices.length)}</span></legend>
      <div class="row">
        <input type="search" placeholder={t('filterByNameIdState')} aria-label={t('filterDevicesToCrossSign')} data-testid="repair-device-filter"
          value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} style="flex:1" />
      </div>
      <div class="row" role="group" aria-label={t('chooseDevices')}>
        <button type="button" class="copy" data-testid="repair-devices-all"
          onClick={() => onChange(new Set([...chosen, ...shown.filter((d) => d.signable).map((d) => d.deviceId)]))}>{filter.trim() ? t('allShown') : t('pickAll')}</button>
        <button type="button" class="copy" data-testid="repair-devices-none" onClick={() => onChange(new Set())}>{t('pickNone')}</button>
        <button type="button" class="copy" data-testid="repair-devices-unsigned"
          onClick={() => onChange(new Set(devices.filter((d) => d.signable && !d.signed).map((d) => d.deviceId)))}>{t('onlyUnsigned')}</button>
      </div>
      <div class="device-list">
        {shown.map((d) => (
          <label key={d.deviceId} class="row">
            <input type="checkbox" checked={chosen.has(d.deviceId)} disabled={!d.signable} onChange={() => toggle(d.deviceId)} data-testid="repair-device" data-device-id={d.deviceId} />
            <span class="mono">{visible(d.deviceId)}</span> {visible(d.displayName ?? '')} <span class={d.signed ? 'good-text' : 'bad-text'} data-testid="repair-device-state">{crossSignedWords(stateOf(d))}</span>
            {!d.signable && <span class="muted">{t('notSignable')}</span>}
          </label>
        ))}
        {shown.length === 0 && <p class="muted">{t('noDeviceMatches')}</p>}
      </div>
    </fieldset>
  );
}
