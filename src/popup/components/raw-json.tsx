/** The exact server JSON behind a row, one click away (rendered as text, never markup). */
export function RawJson({ label, value, testId }: { label: string; value: unknown; testId?: string }) {
  return (
    <details class="raw" data-testid={testId}>
      <summary>Raw JSON: {label}</summary>
      <pre class="mono">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
