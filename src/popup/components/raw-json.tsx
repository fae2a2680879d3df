import { errorText } from '../error-text.ts';
import { useState } from 'preact/hooks';
import { visibleJson } from '../visible-text.ts';
import { RawPane } from './raw-pane.tsx';
import { t } from '../i18n.ts';

/** Text of a raw value fetched on demand: null until asked for; a failed fetch says so. */
export function useRawText(value: () => unknown): [string | null, (open: boolean) => void] {
  const [text, setText] = useState<string | null>(null);
  const toggle = (open: boolean) => {
    if (!open) return setText(null);
    void (async () => visibleJson(await value()))().then(setText, (e: unknown) => setText(t('couldNotRead', errorText(e))));
  };
  return [text, toggle];
}

/** A raw pane's open state and its text, fetched when it opens (a 1 000-device keys/query is megabytes of pretty JSON). */
export function useRawPane(value: () => unknown): { open: boolean; text: string | null; show: (open: boolean) => void } {
  const [open, setOpen] = useState(false);
  const [text, toggle] = useRawText(value);
  return { open, text, show: (o: boolean) => { setOpen(o); toggle(o); } };
}

/** The exact server JSON behind a section, one click away in a readable pane (text, never markup), fetched when opened. */
export function RawJson({ label, value, testId }: { label: string; value: () => unknown; testId?: string }) {
  const pane = useRawPane(value);
  return (
    <div class="raw">
      <button type="button" class="link" aria-haspopup="dialog" data-testid={testId} onClick={() => pane.show(true)}>{t('rawJson', label)}</button>
      {pane.open && <RawPane label={label} json={pane.text} testId={testId} onClose={() => pane.show(false)} />}
    </div>
  );
}
