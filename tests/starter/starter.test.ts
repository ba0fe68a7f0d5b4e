// `kubelab starter`: the contract of the starter kit (issue "Starter kit").
// The starter has no LAB region left, only TODO stubs; it type-checks; it
// scores full marks on the API basics; a sample of each stripped lab's checks
// fails; and keeping one lab's regions (--keep scheduler) makes that lab's
// sample pass while the other labs still fail.
//
// The samples are one or two checks per lab that need that lab's code and
// time out quickly when it is missing; every conformance run starts a cluster,
// so the runs go side by side.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { runCommand } from '../support/run-command.ts';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRegions } from '../../scripts/starter/regions.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Per lab, checks that fail without the lab's regions. */
const SAMPLES: Record<string, string[]> = {
  pods: ['pods.lifecycle.running'],
  scheduler: ['scheduler.placement.node-selector'],
  replicasets: ['replicasets.replicas.creates-pods'],
  deployments: ['deployments.rollout.creates-replicaset'],
  services: ['services.endpoints.ready-pods'],
  volumes: ['volumes.binding.claim-binds'],
  namespaces: ['namespaces.deletion.removes-content'],
  failures: ['failures.drain.budget-status'],
};
/** The lab restored with --keep. The scheduler needs no other lab's code to place pods. */
const KEPT = 'scheduler';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function referenceRegions() {
  return tsFiles(join(ROOT, 'reference/src')).flatMap((file) => findRegions(readFileSync(file, 'utf8'), file));
}

async function starter(out: string, keep: string[] = []): Promise<void> {
  const run = await runCommand('node', ['bin/kubelab.js', 'starter', '--out', out, ...(keep.length ? ['--keep', ...keep] : [])], { cwd: ROOT, timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  // The starter's packages are the checkout's.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
}

interface Report {
  summary: { passed: number; failed: number; skipped: number };
  checks: { id: string; status: string; message?: string; durationMs: number }[];
}

/** `kubelab conformance … --reporter json`, asynchronously, so that runs overlap. */
function conformance(impl: string, selection: string[], out: string): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['bin/kubelab.js', 'conformance', '--impl', impl, ...selection, '--reporter', 'json', '--out', out], {
      // A failing sample waits out its timeout: one worker per check file lets those waits overlap
      // (the conformance project runs in the threads pool: vitest.config.ts).
      cwd: ROOT, env: { ...process.env, NO_COLOR: '1', VITEST_MAX_THREADS: '8', VITEST_MIN_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 330_000);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')));
      } catch {
        reject(new Error(`no report from kubelab conformance --impl ${impl}:\n${output.slice(-3000)}`));
      }
    });
  });
}

const statusOf = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

describe('kubelab starter', () => {
  let dir: string;
  let full: string;
  let kept: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelab-starter-'));
    full = join(dir, 'starter');
    kept = join(dir, `starter-keep-${KEPT}`);
    await starter(full);
    await starter(kept, [KEPT]);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no region of any lab, and a TODO(lab …) stub in each one\'s place', () => {
    const regions = referenceRegions();
    const labs = [...new Set(regions.map((r) => r.lab))].sort();
    expect(labs).toEqual(Object.keys(SAMPLES).sort());

    const files = tsFiles(join(full, 'src'));
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text).not.toMatch(/\/\/ LAB(\(|\s+end)/);
    for (const lab of labs) {
      const stubs = text.match(new RegExp(`// TODO\\(lab ${lab}\\): `, 'g')) ?? [];
      expect(stubs.length, `TODO comments of lab ${lab}`).toBe(regions.filter((r) => r.lab === lab).length);
      expect(text).toMatch(new RegExp(`throw new Error\\('TODO\\(lab ${lab}\\): [^']+; see labs/\\d\\d-[a-z-]+'\\)`));
    }

    // --keep: that lab's regions stay as in the reference, marks and all.
    const keptText = tsFiles(join(kept, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(keptText.match(new RegExp(`// LAB\\(${KEPT}\\) begin`, 'g'))?.length).toBe(regions.filter((r) => r.lab === KEPT).length);
    expect(keptText).not.toContain(`TODO(lab ${KEPT})`);
    expect(keptText).toContain('TODO(lab pods)');

    // Its own contract, package and README.
    expect(readFileSync(join(full, 'kubelab.yaml'), 'utf8')).toMatch(/controlPlane:\n {2}command: \["node", "--import", "tsx", "src\/apiserver\/main\.ts"\]/);
    const pkg = JSON.parse(readFileSync(join(full, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['tsx', 'yaml', 'better-sqlite3']));
    expect(pkg.dependencies).not.toHaveProperty('vitest');
    expect(readFileSync(join(full, 'README.md'), 'utf8')).toContain('### replicasets (labs/02-replicasets)');
  });

  it('type-checks with its own tsconfig', async () => {
    const run = await runCommand(join(ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '-p', full], { timeout: 120_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  }, 150_000);

  it('scores full marks on the API basics, fails every lab\'s sample, and passes the sample of the lab it keeps', async () => {
    const samples = Object.values(SAMPLES).flat();
    const [api, stripped, keptRun] = await Promise.all([
      conformance(full, ['--lab', 'api'], join(dir, 'api.json')),
      conformance(full, ['--check', ...samples], join(dir, 'samples.json')),
      conformance(kept, ['--check', ...samples], join(dir, 'samples-kept.json')),
    ]);

    expect(api.summary.failed, JSON.stringify(api.checks.filter((c) => c.status !== 'passed'), null, 2)).toBe(0);
    expect(api.summary.passed).toBeGreaterThan(30);

    const strippedStatus = statusOf(stripped);
    for (const id of samples) expect(strippedStatus[id], `${id} in the starter`).toBe('failed');

    const keptStatus = statusOf(keptRun);
    for (const [lab, ids] of Object.entries(SAMPLES)) {
      for (const id of ids) expect(keptStatus[id], `${id} with --keep ${KEPT}`).toBe(lab === KEPT ? 'passed' : 'failed');
    }
  }, 360_000);
});
