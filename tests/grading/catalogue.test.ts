// The check catalogue is read without vitest and without a cluster: it must
// find every check the suite defines, and the labs' lab.yaml files must grade
// each of them exactly once (so a new check cannot be forgotten).

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../../conformance/grading/catalogue.ts';
import { checkFiles } from '../../conformance/grading/check-files.ts';
import { readLabs, validateLabs } from '../../conformance/grading/lab-files.ts';
import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the check catalogue', () => {
  let catalogue: CatalogueEntry[];
  beforeAll(() => {
    catalogue = loadCatalogue();
  }, 60_000);

  it('has every check of every check file, with its metadata', () => {
    // An independent count: each literal `id: '…'` in a check file, and each
    // check() call whose id is built in a loop (api.crud.<kind>) adds at least one.
    let literal = 0;
    for (const file of checkFiles()) {
      const source = readFileSync(file, 'utf8');
      const path = relative(ROOT, file);
      const ids = [...source.matchAll(/check\(\{\s*id: '([^']+)'/g)].map((m) => m[1]);
      const built = [...source.matchAll(/check\(\{\s*id: `/g)].length;
      literal += ids.length;
      const fromFile = catalogue.filter((c) => c.file === path).map((c) => c.id);
      expect(fromFile, path).toEqual(expect.arrayContaining(ids));
      expect(fromFile.length, path).toBeGreaterThanOrEqual(ids.length + built);
      if (built === 0) expect(fromFile.length, path).toBe(ids.length);
    }
    expect(catalogue.length).toBeGreaterThanOrEqual(literal);
    expect(catalogue.length).toBeGreaterThan(140);
    expect(new Set(catalogue.map((c) => c.id)).size).toBe(catalogue.length);
    const pod = catalogue.find((c) => c.id === 'api.crud.pod');
    expect(pod).toMatchObject({ lab: 'api', points: 2, file: 'conformance/checks/api/crud.check.ts' });
    expect(catalogue.find((c) => c.id === 'failures.nodes.unreachable')?.needs).toEqual(['kill-node']);
    for (const c of catalogue) {
      expect(c.id.startsWith(`${c.lab}.`), c.id).toBe(true);
      expect(c.points, c.id).toBeGreaterThan(0);
    }
  });

  it("is graded by the labs' lab.yaml files: every check in exactly one step, points that add up", () => {
    const labs = readLabs();
    expect(labs.map((l) => l.folder)).toEqual(expect.arrayContaining(['00-api', '01-pods', '07-failures']));
    expect(() => validateLabs(labs, catalogue)).not.toThrow();
    for (const lab of labs) {
      expect(lab.steps.length, lab.file).toBeGreaterThanOrEqual(3);
      expect(lab.steps.length, lab.file).toBeLessThanOrEqual(7);
    }
  });
});
