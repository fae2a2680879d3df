import type { ComponentChildren } from 'preact';

/** Sections with more rows than this start collapsed (Chrome caps a popup at 800×600). */
export const COLLAPSE_OVER = 20;

/**
 * A section whose heading (with its count) toggles it. It starts open unless it holds more than
 * COLLAPSE_OVER rows; after that the person's choice stands (`open` is only set again when the
 * count crosses the limit).
 */
export function CollapsibleSection({ label, heading, count, testId, children }: {
  label: string; heading: ComponentChildren; count: number; testId?: string; children: ComponentChildren;
}) {
  return (
    <section aria-label={label} class="collapsible" data-testid={testId}>
      <details open={count <= COLLAPSE_OVER} data-testid="section-details" data-count={count}>
        <summary><h2>{heading}</h2></summary>
        {children}
      </details>
    </section>
  );
}
