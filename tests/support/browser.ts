// A real browser for the tests: Debian's chromium driven by playwright-core.
// Each launch gets a fresh profile folder, so nothing from an earlier run (local
// storage, cache) leaks into a test; console errors and uncaught page errors are
// collected so a test can assert there were none. Screenshots go to
// test-artifacts/ (kept by CI, ignored by git).

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CANDIDATES = [process.env.KUBELAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Where the browser lives, or undefined when none is installed (a test then skips and says why). */
export function chromiumPath(): string | undefined {
  return CANDIDATES.find((path): path is string => !!path && existsSync(path));
}

/** Why a browser test cannot run here, or undefined when it can. */
export const noBrowserReason = chromiumPath() ? undefined : 'chromium is not installed (apt-get install -y chromium)';

/** The folder screenshots are written to; created on first use. */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, '..', '..', 'test-artifacts');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far, in order. */
  errors: string[];
  /** Saves a screenshot of the page as test-artifacts/NAME.png and returns its path. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(noBrowserReason);
  const profile = mkdtempSync(join(tmpdir(), 'kubelab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // No sandbox (CI runs as root), no GPU, and nothing that would phone home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  return {
    context,
    page,
    errors,
    async screenshot(name, screenshotOptions = {}) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: screenshotOptions.fullPage ?? false });
      return path;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
