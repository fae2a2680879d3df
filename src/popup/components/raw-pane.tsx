import { useLayoutEffect, useRef } from 'preact/hooks';
import { visible } from '../visible-text.ts';
import { CopyButton } from './copy-button.tsx';
import { t } from '../i18n.ts';

/**
 * The exact server JSON in a pane of its own: a modal dialog over the popup, monospace, with a
 * copy button; Escape (the dialog's own cancel) or Close closes it and focus returns to the button
 * that opened it. `json` is visibleJson's text: shown as text, never markup, and still JSON that
 * parses to the same value, so the copy is the server's object.
 */
export function RawPane({ label, json, testId, onClose }: { label: string; json: string | null; testId?: string | undefined; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  // Layout effect: the dialog is modal in the same frame it appears, so a key pressed at once reaches it.
  useLayoutEffect(() => {
    const el = dialog.current;
    const opener = document.activeElement as HTMLElement | null;
    if (el && !el.open) el.showModal();
    return () => opener?.focus();
  }, []);
  const title = t('rawJson', visible(label));
  return (
    <dialog ref={dialog} class="raw-pane" aria-label={title} data-testid="raw-pane" data-loaded={String(json !== null)} onClose={onClose}>
      <div class="row raw-pane-head">
        <h2 style="flex:1">{title}</h2>
        <CopyButton label={title} value={() => json ?? ''} />
        <button type="button" data-testid="raw-pane-close" onClick={() => dialog.current?.close()}>{t('closePane')}</button>
      </div>
      <pre class="mono" data-testid={testId && `${testId}-json`} tabIndex={0}>{json ?? t('reading')}</pre>
    </dialog>
  );
}
