import { visibleJson } from '../visible-text.ts';

/** The exact server JSON behind a row, one click away (rendered as text, never markup). */
export function RawJson({ label, value, testId }: { label: string; value: unknown; testId?: string }) {
  return (
    <details class="raw" data-testid={testId}>
      <summary>Raw JSON: {label}</summary>
      <pre class="mono">{visibleJson(value)}</pre>
    </details>
  );
}
