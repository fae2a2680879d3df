import { Component, type ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.ts';

/**
 * Rows drawn beyond the visible ones on each side: the next Tab stop always exists. 8, not 20:
 * a screen-per-frame scroll through 5 000 devices then redraws about 40 rows instead of 60, and
 * its longest frame in Firefox fell from 35–80 ms to 31–40 ms (`npm run bench`, scroll_ms).
 */
const OVERSCAN = 8;
const FIRST_ESTIMATE_PX = 26;

type RowProps<T> = { item: T; index: number; row: (item: T, index: number) => ComponentChildren };

/**
 * One drawn row, rendered again only when its item, its index or the row function changes.
 *
 * Why: a scroll step moves the window by a few rows, and every other row it draws is the same as
 * before; without this each step rendered all of them again (their key text, copy and raw
 * buttons, every label looked up), about 5–7 ms a frame in Firefox for 23 rows (the bench's
 * scroll_ms). The caller passes a new `row` whenever what a row shows may have changed (the
 * tables make it afresh on each of their renders), so a skipped row is never stale. State inside
 * a row (a copy button's "Copied", an open raw pane) still updates itself.
 */
class VirtualRow<T> extends Component<RowProps<T>> {
  override shouldComponentUpdate(next: RowProps<T>): boolean {
    return next.item !== this.props.item || next.index !== this.props.index || next.row !== this.props.row;
  }

  override render() {
    return this.props.row(this.props.item, this.props.index);
  }
}

/**
 * A table body that draws only the rows near its scroll position (5 000 devices would otherwise
 * freeze the popup for a second and more). Rows keep their own height; the spacers above and
 * below use the measured average. Keyboard: the scroll box is a focusable region that arrow keys
 * and Page Up/Down scroll, and a focused control inside a row is scrolled into view by the
 * browser, which moves the window with it, so Tab walks every row. Why it is built this way:
 * docs/design.md#virtual-rows.
 */
export function VirtualRows<T>({ items, head, label, row, testId }: {
  items: readonly T[];
  head?: ComponentChildren;
  label: string;
  row: (item: T, index: number) => ComponentChildren;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const [rowPx, setRowPx] = useState(FIRST_ESTIMATE_PX);
  const first = Math.max(0, Math.floor(view.top / rowPx) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / rowPx) + OVERSCAN);
  const onScroll = () => {
    const el = box.current;
    if (el) setView({ top: el.scrollTop, height: el.clientHeight });
  };
  // Measure what was drawn: the average row height makes the spacers (and so the scroll range) right.
  useLayoutEffect(() => {
    const rows = body.current?.querySelectorAll<HTMLElement>(':scope > tr:not([aria-hidden])');
    if (!rows || rows.length < 2) return;
    const a = rows[0]!;
    const b = rows[rows.length - 1]!;
    const avg = (b.offsetTop + b.offsetHeight - a.offsetTop) / rows.length;
    // Only a real misestimate re-sizes the spacers: chasing every window's own average would
    // re-render (and move the scroll range) on every scroll step.
    if (avg > 0 && Math.abs(avg - rowPx) > rowPx * 0.1) setRowPx(avg);
    if (box.current && box.current.clientHeight !== view.height) onScroll();
  });
  return (
    <div class="vscroll" ref={box} onScroll={onScroll} tabIndex={0} role="region" aria-label={t('virtualRows', label, items.length)} data-testid={testId}
      data-first={first} data-last={last}>
      <table>
        {head}
        <tbody ref={body}>
          {first > 0 && <tr aria-hidden="true" style={{ height: `${first * rowPx}px` }} />}
          {/* Keyed by position in `items`: the row function's own key (a device ID) still decides
              which element and state belong to which item. */}
          {items.slice(first, last).map((item, i) => <VirtualRow key={first + i} item={item} index={first + i} row={row} />)}
          {last < items.length && <tr aria-hidden="true" style={{ height: `${(items.length - last) * rowPx}px` }} />}
        </tbody>
      </table>
    </div>
  );
}
