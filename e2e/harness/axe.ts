// axe-core (https://github.com/dequelabs/axe-core) run inside an extension page, in either browser:
// its source is evaluated in the page by the automation protocol (not a <script>: the extension
// page's CSP allows only its own scripts), then axe.run checks the document as it is now.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { UiPage } from './ui-page.ts';

export type AxeFinding = { id: string; impact: string | null; help: string; targets: string[] };

let source: string | undefined;
const axeSource = () => (source ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

/** The violations axe finds in the page now (every rule axe runs by default, WCAG 2.x A/AA and best practices). */
export async function axeViolations(ui: UiPage): Promise<AxeFinding[]> {
  if (!(await ui.evaluate(() => 'axe' in window, null))) {
    // A string is evaluated as a script by both Playwright and puppeteer.
    await ui.evaluate(axeSource() as unknown as () => void, undefined as never);
  }
  return ui.evaluate(async () => {
    type Rule = { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Rule[]; passes: Rule[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    // A run that checked nothing would pass anything: the page must have given axe work to do.
    if (result.passes.length < 10) throw new Error(`axe checked only ${result.passes.length} rules`);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }, null);
}

/** Serious or critical findings, one line each, for an assertion message. */
export const blocking = (found: AxeFinding[]): string[] =>
  found.filter((f) => f.impact === 'serious' || f.impact === 'critical').map((f) => `${f.impact} ${f.id}: ${f.help} (${f.targets.join(', ')})`);
