// What the site tests build: the fixture labs (tests/fixtures/site/labs) with a
// small catalogue of their own, so the build needs no check file and is fast.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import { buildSite, type BuildResult } from '../../site/src/build.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_LABS = join(ROOT, 'tests', 'fixtures', 'site', 'labs');

export const CATALOGUE: CatalogueEntry[] = [
  { id: 'fixture.run.starts', title: 'A pod starts', lab: 'first', points: 3, cites: 'https://kubernetes.io/docs/concepts/workloads/pods/', file: 'conformance/checks/first/run.check.ts' },
  { id: 'fixture.run.serves', title: 'A pod serves <HTTP> & "answers"', lab: 'first', points: 2, cites: 'k8s.io/kubernetes/pkg/kubelet/kubelet.go (syncPod)', file: 'conformance/checks/first/run.check.ts' },
  { id: 'fixture.serve.lost', title: 'A lost node is noticed', lab: 'first', points: 4, needs: ['kill-node'], file: 'conformance/checks/first/serve.check.ts' },
  { id: 'fixture.nodes.back', title: 'A node comes back', lab: 'second', points: 1, file: 'conformance/checks/second/nodes.check.ts' },
];

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-site-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function buildFixture(out: string, labsDir = FIXTURE_LABS): Promise<BuildResult> {
  return buildSite({ out, root: ROOT, labsDir, catalogue: CATALOGUE });
}
