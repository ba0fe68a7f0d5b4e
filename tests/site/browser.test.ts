// The lesson site in a real browser (Debian's chromium, driven by playwright-core):
// the course as a student uses it, opened straight from disk and served by
// `kubelab site serve`. Home → a lab → a step, search, the copy buttons, the
// "done" ticks, the keys, dark mode, a phone's width and the print page; on
// every page no console error and no request that leaves the site.
// Screenshots go to test-artifacts/site-*.png.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabs, type LabDefinition } from '../../conformance/grading/lab-files.ts';
import { buildSite, type BuildResult } from '../../site/src/build.ts';
import { serveSite, type SiteServer } from '../../site/src/serve.ts';
import { launchBrowser, noBrowserReason, type Browser } from '../support/browser.ts';
import { tempDir } from './fixtures.ts';

/** The lab the walk goes through: the first one with three steps or more. */
const LAB: LabDefinition = readLabs().find((lab) => lab.steps.length >= 3)!;
const PHONE = { width: 390, height: 844 };

/** WCAG's relative luminance of a CSS `rgb(r, g, b)` colour. */
function luminance(css: string): number {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

// Each test loads a few pages (the phone's test every page): quick alone, but on
// a machine busy with the other test files a page can take seconds.
describe.skipIf(!!noBrowserReason)(`the lesson site in a browser${noBrowserReason ? ` (skipped: ${noBrowserReason})` : ''}`, { timeout: 120_000 }, () => {
  const temp = tempDir();
  const out = join(temp.dir, 'dist');
  let build: BuildResult;
  let browser: Browser;
  let server: SiteServer;
  /** Every URL the browser asked for, and those that failed or were answered 4xx/5xx (the console says only "404"). */
  const requests: string[] = [];
  const failed: string[] = [];
  const fromDisk = (file: string) => pathToFileURL(join(out, file)).href;
  const page = () => browser.page;
  const labPage = `${LAB.folder}.html`;

  /** The heading of an anchor is below the sticky top bar and inside the window. */
  async function inView(id: string): Promise<{ top: number; barBottom: number; height: number }> {
    return page().evaluate((anchor) => ({
      top: document.getElementById(anchor)!.getBoundingClientRect().top,
      barBottom: document.querySelector('.topbar')!.getBoundingClientRect().bottom,
      height: window.innerHeight,
    }), id);
  }

  function expectInView(where: { top: number; barBottom: number; height: number }): void {
    expect(where.top).toBeGreaterThanOrEqual(where.barBottom - 1);
    expect(where.top).toBeLessThan(where.height);
  }

  beforeAll(async () => {
    const started = Date.now();
    build = await buildSite({ out });
    server = await serveSite({ dir: out, port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(60_000); // each click, wait and page load (playwright's default: 30 s)
    browser.context.on('request', (request) => { requests.push(request.url()); });
    browser.context.on('requestfailed', (request) => { failed.push(`${request.url()}: ${request.failure()?.errorText}`); });
    browser.context.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.url()}: ${response.status()}`); });
    console.log(`browser test: site built and browser started in ${Date.now() - started} ms`);
  }, 180_000); // the build reads the check catalogue in a child process: seconds alone, a minute on a busy machine

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp.remove();
  });

  it('from disk: home → a lab by its link → a step by the step navigator', async () => {
    await page().goto(fromDisk('index.html'));
    await browser.screenshot('site-home');
    await page().click(`ol.lessons a[href="${labPage}"]`);
    await page().waitForURL(fromDisk(labPage));
    expect(await page().getAttribute('.sidebar a[aria-current="page"]', 'href')).toBe(labPage);
    await browser.screenshot('site-lab');

    const step = LAB.steps[1];
    await page().click(`.sidebar .steps a[href="#step-${step.id}"]`);
    await page().waitForURL(`${fromDisk(labPage)}#step-${step.id}`);
    expectInView(await inView(`step-${step.id}`));
    expect(browser.errors).toEqual([]);
  });

  it('search: a query lists results, and a result leads to its page and section', async () => {
    // The heading text of a step of the lab, as the index holds it (without the "#" link).
    const step = LAB.steps[2];
    await page().goto(fromDisk(labPage));
    const heading = (await page().textContent(`#step-${step.id}`))!.replace(/\s*#\s*$/, '').trim();
    await page().goto(fromDisk('index.html'));
    // The index is most of the site's weight: a page loads it only once the search box is used.
    expect(await page().evaluate(() => 'KUBELAB_SEARCH' in window || 'MiniSearch' in window)).toBe(false);
    await page().keyboard.press('/'); // the key focuses the search box
    expect(await page().evaluate(() => document.activeElement?.id)).toBe('search');
    await page().keyboard.type(heading);
    const result = page().locator(`#search-results a[href="${labPage}#step-${step.id}"]`);
    await result.waitFor({ state: 'visible' });
    expect(await result.textContent()).toContain(heading);
    await result.click();
    await page().waitForURL(`${fromDisk(labPage)}#step-${step.id}`);
    expectInView(await inView(`step-${step.id}`));
    expect(browser.errors).toEqual([]);
  });

  it('a copy button puts the commands on the clipboard and says so, from disk and served', async () => {
    for (const url of [fromDisk(labPage), `${server.url}${labPage}`]) {
      await page().goto(url);
      const block = page().locator('.code-block:has(code.language-sh)').first();
      const code = await block.locator('code').textContent();
      expect(code).toMatch(/kubectl /);
      await page().evaluate(() => navigator.clipboard.writeText('not copied yet'));
      const button = block.locator('button.copy');
      await button.click();
      await page().waitForFunction((element) => element?.textContent === 'Copied', await button.elementHandle());
      expect(await page().evaluate(() => navigator.clipboard.readText()), url).toBe(code);
    }
    expect(browser.errors).toEqual([]);
  });

  it('ticking a step marks it in the navigator and counts it on the home page, and the tick survives a reload', async () => {
    const key = `${LAB.name}/${LAB.steps[0].id}`;
    await page().goto(fromDisk(labPage));
    const box = page().locator(`input.step-done[data-progress="${key}"]`);
    const navLink = page().locator(`.sidebar a[data-progress="${key}"]`);
    expect(await box.isChecked()).toBe(false);
    expect(await navLink.getAttribute('class') ?? '').not.toContain('done');
    await box.check();
    expect(await navLink.getAttribute('class')).toContain('done');
    expect(await navLink.getAttribute('aria-label')).toMatch(/\(done\)$/);
    await page().reload();
    expect(await box.isChecked()).toBe(true);
    expect(await navLink.getAttribute('class')).toContain('done');
    expect(await page().evaluate((k) => localStorage.getItem(`kubelab:done:${k}`), key)).toBe('1');
    // The home page's list of labs counts it.
    await page().goto(fromDisk('index.html'));
    expect(await page().textContent(`ol.lessons li:has(a[href="${labPage}"]) .progress`)).toBe(`1 of ${LAB.steps.length} steps done`);
    expect(await page().locator('ol.lessons .progress:visible').count()).toBe(1);
    await page().goto(fromDisk(labPage));
    // Unticked, it is forgotten.
    await box.uncheck();
    await page().reload();
    expect(await box.isChecked()).toBe(false);
    await page().goto(fromDisk('index.html'));
    expect(await page().locator('ol.lessons .progress:visible').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('j / → go to the next page and k / ← back, in course order; not while typing in the search box', async () => {
    const sequence = build.pages.filter((file) => file !== 'print.html');
    const at = sequence.indexOf(labPage);
    await page().goto(fromDisk(labPage));
    await page().keyboard.press('j');
    await page().waitForURL(fromDisk(sequence[at + 1]));
    await page().keyboard.press('k');
    await page().waitForURL(fromDisk(labPage));
    await page().keyboard.press('ArrowLeft');
    await page().waitForURL(fromDisk(sequence[at - 1]));
    await page().keyboard.press('ArrowRight');
    await page().waitForURL(fromDisk(labPage));
    await page().focus('#search');
    await page().keyboard.press('j');
    expect(page().url()).toBe(fromDisk(labPage));
    expect(await page().inputValue('#search')).toBe('j');
    // There the j is a query: its results show once the search's scripts have loaded (before the next test leaves the page).
    await page().locator('#search-results').waitFor({ state: 'visible' });
    expect(browser.errors).toEqual([]);
  });

  it('follows the system\'s dark mode, with readable text in both', async () => {
    await page().goto(fromDisk(labPage));
    const colours = () => page().evaluate(() => {
      const style = getComputedStyle(document.body);
      return { bg: style.backgroundColor, fg: style.color };
    });
    const light = await colours();
    await page().emulateMedia({ colorScheme: 'dark' });
    try {
      const dark = await colours();
      await browser.screenshot('site-lab-dark');
      expect(luminance(light.bg)).toBeGreaterThan(0.8);
      expect(luminance(dark.bg)).toBeLessThan(0.05);
      expect(contrast(light.fg, light.bg)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(dark.fg, dark.bg)).toBeGreaterThanOrEqual(4.5);
    } finally {
      await page().emulateMedia({ colorScheme: 'light' });
    }
    expect(browser.errors).toEqual([]);
  });

  it('on a phone no page scrolls sideways, and the navigation starts folded', async () => {
    await page().setViewportSize(PHONE);
    try {
      for (const file of build.pages) {
        await page().goto(fromDisk(file));
        const width = await page().evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
        expect(width.scroll, file).toBeLessThanOrEqual(width.inner);
      }
      await page().goto(fromDisk(labPage));
      expect(await page().evaluate(() => (document.querySelector('.nav-fold') as HTMLDetailsElement).open)).toBe(false);
      await browser.screenshot('site-phone');
      // A step reached from the unfolded navigator is not hidden under the sticky top bar.
      await page().click('.nav-fold > summary');
      await page().click(`.sidebar .steps a[href="#step-${LAB.steps[1].id}"]`);
      expectInView(await inView(`step-${LAB.steps[1].id}`));
    } finally {
      await page().setViewportSize({ width: 1280, height: 900 });
    }
    expect(browser.errors).toEqual([]);
  });

  it('the print page: every in-page link has its target, ids are unique, and it prints without the navigation', async () => {
    await page().goto(fromDisk('print.html'));
    const anchors = await page().evaluate(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
      const fragments = [...document.querySelectorAll('a[href^="#"]')].map((a) => decodeURIComponent(a.getAttribute('href')!.slice(1)));
      return { duplicates: ids.filter((id, i) => ids.indexOf(id) !== i), missing: fragments.filter((f) => !document.getElementById(f)), fragments: fragments.length };
    });
    expect(anchors).toEqual({ duplicates: [], missing: [], fragments: expect.any(Number) });
    expect(anchors.fragments).toBeGreaterThan(20);
    // The table of contents leads to a lesson's section on this page.
    await page().click(`ol.toc a[href="#${LAB.folder}-lesson"]`);
    await page().waitForURL(`${fromDisk('print.html')}#${LAB.folder}-lesson`);
    expectInView(await inView(`${LAB.folder}-lesson`));
    await page().emulateMedia({ media: 'print' });
    try {
      expect(await page().locator('.sidebar').isVisible()).toBe(false);
      expect(await page().locator('.topbar').isVisible()).toBe(false);
      await page().evaluate(() => window.scrollTo(0, 0));
      await browser.screenshot('site-print');
    } finally {
      await page().emulateMedia({ media: 'screen' });
    }
    expect(browser.errors).toEqual([]);
  });

  it('served by kubelab site serve: the home page and a lab page load their scripts and work', async () => {
    await page().goto(server.url);
    // The search's scripts come from the server once the search box has the focus.
    expect(await page().evaluate(() => 'KUBELAB_SEARCH' in window)).toBe(false);
    await page().focus('#search');
    await page().waitForFunction(() => Array.isArray((window as any).KUBELAB_SEARCH) && typeof (window as any).MiniSearch === 'function');
    expect(requests).toContain(`${server.url}assets/search-index.js`);
    await page().click(`ol.lessons a[href="${labPage}"]`);
    await page().waitForURL(`${server.url}${labPage}`);
    expect(await page().locator('.code-block button.copy').first().isVisible()).toBe(true);
    await page().fill('#search', LAB.steps[0].id);
    await page().locator('#search-results a').first().waitFor({ state: 'visible' });
    expect(browser.errors).toEqual([]);
  });

  it('asked for nothing outside the site on any page, and got everything it asked for', () => {
    expect(failed).toEqual([]);
    expect(requests.length).toBeGreaterThan(50);
    expect(requests.filter((url) => !url.startsWith(pathToFileURL(out).href + '/') && !url.startsWith(server.url))).toEqual([]);
  });
});
