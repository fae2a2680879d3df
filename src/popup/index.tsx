import { render } from 'preact';
import { App } from './app.tsx';
import { loadSaidAgain } from './said-again.ts';

// In-page timing for `npm run bench` (bench/lib/ui-timing.ts reads the marks): when this script
// starts, and when the verdict is first in the DOM. Measured here, so no driver's polling counts.
performance.mark('xsd:open');
new MutationObserver((_, observer) => {
  if (!document.querySelector('[data-testid="status-verdict"]')) return;
  performance.mark('xsd:verdict');
  observer.disconnect();
}).observe(document.body, { childList: true, subtree: true });

// The core's sentences in the UI language (said-again.ts): read beside the tab, long before any is shown.
loadSaidAgain();
render(<App />, document.getElementById('root')!);
