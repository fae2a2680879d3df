import { useState } from 'preact/hooks';
import { visibleJson } from '../visible-text.ts';

/** Text of a raw value fetched on demand: null until asked for; a failed fetch says so. */
export function useRawText(value: () => unknown): [string | null, (open: boolean) => void] {
  const [text, setText] = useState<string | null>(null);
  const toggle = (open: boolean) => {
    if (!open) return setText(null);
    void (async () => visibleJson(await value()))().then(setText, (e: unknown) => setText(`Could not read it: ${e instanceof Error ? e.message : String(e)}`));
  };
  return [text, toggle];
}

/**
 * The exact server JSON behind a section, one click away (rendered as text, never markup). Fetched
 * and formatted only when opened: a 1 000-device keys/query is megabytes of pretty JSON.
 */
export function RawJson({ label, value, testId }: { label: string; value: () => unknown; testId?: string }) {
  const [text, toggle] = useRawText(value);
  return (
    <details class="raw" data-testid={testId} onToggle={(e) => toggle((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Raw JSON: {label}</summary>
      {text !== null && <pre class="mono">{text}</pre>}
    </details>
  );
}
