// The site of this repository, as `kubelab site build` makes it: the real labs,
// the real check catalogue (read from the check files), the project README and
// the conformance README. Every page's links must resolve, and every check and
// step must show up.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabs } from '../../conformance/grading/lab-files.ts';
import { buildSite, type BuildResult } from '../../site/src/build.ts';
import { checkLinks } from '../../site/src/link-check.ts';
import { tempDir } from './fixtures.ts';

describe('the lesson site of this repository', () => {
  const temp = tempDir();
  const out = join(temp.dir, 'dist');
  let result: BuildResult;

  beforeAll(async () => {
    result = await buildSite({ out });
  }, 120_000);
  afterAll(() => temp.remove());

  it('builds a page per lab besides the home, catalogue, contract and print pages', () => {
    const labs = readLabs();
    for (const lab of labs) expect(result.pages).toContain(`${lab.folder}.html`);
    expect(result.pages).toEqual(expect.arrayContaining(['index.html', 'catalogue.html', 'contract.html', 'print.html']));
  });

  it('has no broken link, script, stylesheet or image in any page', () => {
    expect(checkLinks(out)).toEqual([]);
  });

  it('shows every step of every lab.yaml with a box of its checks', () => {
    for (const lab of readLabs()) {
      const html = readFileSync(join(out, `${lab.folder}.html`), 'utf8');
      for (const step of lab.steps) {
        expect(html, `${lab.folder} ${step.id}`).toContain(`data-lab="${lab.name}" data-step="${step.id}"`);
        for (const id of step.checks) expect(html, id).toContain(`<li data-check="${id}">`);
      }
    }
  });

  it('lists every check of the suite in the catalogue', () => {
    // The catalogue the build read from the check files, as it keeps it for the next build.
    const { entries } = JSON.parse(readFileSync(join(out, '.catalogue.json'), 'utf8')) as { entries: { id: string }[] };
    expect(entries.length).toBeGreaterThan(100);
    const catalogue = readFileSync(join(out, 'catalogue.html'), 'utf8');
    for (const { id } of entries) expect(catalogue, id).toContain(`<tr id="check-${id}">`);
  });
});
