// The site's stylesheet and page script, read as files: text colours keep a
// contrast of at least 4.5:1 (WCAG AA) on their backgrounds in the light and
// the dark scheme, and the script is valid and makes no network request.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures.ts';

const ASSETS = join(ROOT, 'site', 'assets');
const TEXT = ['fg', 'muted', 'link', 'accent', 'fail', 'skip', 'hl-keyword', 'hl-string', 'hl-comment', 'hl-number', 'hl-title', 'hl-attr'];
const BACKGROUNDS = ['bg', 'panel', 'code-bg'];

/** WCAG relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function variables(css: string): Record<string, string> {
  return Object.fromEntries([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1], m[2]]));
}

describe('the site assets', () => {
  const css = readFileSync(join(ASSETS, 'style.css'), 'utf8');
  const [light, dark] = css.split('@media (prefers-color-scheme: dark)');

  for (const [scheme, block] of [['light', light], ['dark', dark]] as const) {
    it(`keeps text contrast at 4.5:1 or more in the ${scheme} scheme`, () => {
      const v = variables(block);
      const low = TEXT.flatMap((fg) => BACKGROUNDS.map((bg) => ({ fg, bg, ratio: contrast(v[fg], v[bg]) }))).filter((p) => !(p.ratio >= 4.5));
      expect(low).toEqual([]);
      for (const status of ['accent', 'fail', 'skip']) expect(contrast(v[status], v[`${status}-bg`]), status).toBeGreaterThanOrEqual(4.5);
    });
  }

  it('has a page script that parses and requests nothing from the network', () => {
    const script = join(ASSETS, 'site.js');
    execFileSync(process.execPath, ['--check', script]);
    expect(readFileSync(script, 'utf8')).not.toMatch(/fetch\(|XMLHttpRequest|https?:\/\//);
  });
});
