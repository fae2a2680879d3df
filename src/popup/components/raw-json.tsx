import { useState } from 'preact/hooks';
import { visibleJson } from '../visible-text.ts';
import { RawPane } from './raw-pane.tsx';

/** The exact server JSON behind a section, one click away in a readable pane (text, never markup). */
export function RawJson({ label, value, testId }: { label: string; value: unknown; testId?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="raw">
      <button type="button" class="link" aria-haspopup="dialog" data-testid={testId} onClick={() => setOpen(true)}>Raw JSON: {label}</button>
      {open && <RawPane label={label} json={visibleJson(value)} testId={testId} onClose={() => setOpen(false)} />}
    </div>
  );
}
