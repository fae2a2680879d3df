import { useState } from 'preact/hooks';
import { visible } from '../visible-text.ts';
import { deviceMatches } from '../device-filter.ts';
import { CROSS_SIGNED_WORDS, type CrossSigned } from '../words.ts';

export type PickableDevice = { deviceId: string; displayName: string | null; signed: boolean; signable: boolean; crossSigned?: CrossSigned };

const stateOf = (d: PickableDevice): CrossSigned => d.crossSigned ?? (d.signed ? 'valid' : 'absent');

/**
 * The sign form's device checklist: a filter by name, ID or state, and select all shown / none /
 * only the unsigned ones. Devices whose own keys are not valid cannot be chosen.
 */
export function DevicePicker({ devices, chosen, onChange, legend = 'Devices to cross-sign' }: {
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
      <legend>{legend} <span class="muted" data-testid="repair-devices-count" data-count={chosen.size}>({chosen.size} of {devices.length} chosen)</span></legend>
      <div class="row">
        <input type="search" placeholder="Filter by name, ID or state" aria-label="Filter devices to cross-sign" data-testid="repair-device-filter"
          value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} style="flex:1" />
      </div>
      <div class="row" role="group" aria-label="Choose devices">
        <button type="button" class="copy" data-testid="repair-devices-all"
          onClick={() => onChange(new Set([...chosen, ...shown.filter((d) => d.signable).map((d) => d.deviceId)]))}>{filter.trim() ? 'All shown' : 'All'}</button>
        <button type="button" class="copy" data-testid="repair-devices-none" onClick={() => onChange(new Set())}>None</button>
        <button type="button" class="copy" data-testid="repair-devices-unsigned"
          onClick={() => onChange(new Set(devices.filter((d) => d.signable && !d.signed).map((d) => d.deviceId)))}>Only unsigned</button>
      </div>
      <div class="device-list">
        {shown.map((d) => (
          <label key={d.deviceId} class="row">
            <input type="checkbox" checked={chosen.has(d.deviceId)} disabled={!d.signable} onChange={() => toggle(d.deviceId)} data-testid="repair-device" data-device-id={d.deviceId} />
            <span class="mono">{visible(d.deviceId)}</span> {visible(d.displayName ?? '')} <span class={d.signed ? 'good-text' : 'bad-text'} data-testid="repair-device-state">{CROSS_SIGNED_WORDS[stateOf(d)]}</span>
            {!d.signable && <span class="muted"> (its own keys are not valid: not signable)</span>}
          </label>
        ))}
        {shown.length === 0 && <p class="muted">No device matches the filter.</p>}
      </div>
    </fieldset>
  );
}
