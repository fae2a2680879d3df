// The popup's colour pairs meet WCAG 2.x contrast (4.5:1 for text) in the light AND the dark
// palette of public/popup.css. axe (e2e/accessibility.test.ts) checks the rendered page in the
// scheme the browser runs in; this checks both palettes as written, so neither can regress unseen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const css = readFileSync(new URL('../../public/popup.css', import.meta.url), 'utf8');

/** The custom properties of the first `:root { … }` block after `from` in the stylesheet. */
function palette(from: number): Record<string, string> {
  const start = css.indexOf(':root {', from);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
}

/** WCAG 2.x relative luminance and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Text colour on background, as the stylesheet pairs them. */
const PAIRS: [string, string][] = [
  ['fg', 'bg'], ['fg', 'panel'], ['muted', 'bg'], ['muted', 'panel'], ['accent', 'bg'], ['accent', 'panel'],
  ['ok', 'bg'], ['ok', 'panel'], ['ok', 'ok-bg'], ['bad', 'bg'], ['bad', 'panel'], ['bad', 'bad-bg'], ['warn', 'bg'], ['warn', 'panel'],
  // A primary button's label on its fill.
  ['on-accent', 'accent'],
];

test('the contrast formula matches WCAG\'s extremes', () => {
  assert.equal(Math.round(contrast('#000000', '#ffffff') * 10) / 10, 21);
  assert.equal(contrast('#777777', '#777777'), 1);
});

for (const [scheme, from] of [['light', 0], ['dark', css.indexOf('prefers-color-scheme: dark')]] as const) {
  test(`every text colour of the ${scheme} palette has at least 4.5:1 contrast on its backgrounds`, () => {
    const p = palette(from);
    assert.ok(Object.keys(p).length >= 10, `${scheme} palette read from popup.css`);
    const low = PAIRS.map(([fg, bg]) => [fg, bg, contrast(p[fg]!, p[bg]!)] as const).filter(([, , ratio]) => ratio < 4.5)
      .map(([fg, bg, ratio]) => `--${fg} on --${bg}: ${ratio.toFixed(2)}`);
    assert.deepEqual(low, []);
  });
}
