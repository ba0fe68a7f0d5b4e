// The suite has teeth: every mutant of conformance/mutants/ (a plausible bug
// patched into a copy of the reference) makes at least one of its listed checks
// fail. Every check passes on the reference itself (the conformance project of
// the same `npm test`), and a few of them are run on an unpatched copy too, so
// that a kill is the mutant's doing, not the copy's (a copy that could not run
// pods or controllers would "kill" every mutant). Prints "mutants killed: K of N".
//
// Each run is a separate `kubelab conformance` process with its own cluster;
// two run at a time (more only adds to the load on two cores). The run alone: npx tsx scripts/mutants.ts

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  REPO_ROOT, copyReference, inParallel, loadMutants, patchPath, removeCopy, runChecks, runMutant, summarize,
  type CheckRun, type MutantResult,
} from '../../conformance/mutants/mutants.ts';

/** Conformance runs at a time; KUBELAB_MUTANTS_PARALLEL overrides it (a machine with more cores). */
const PARALLEL = Number(process.env.KUBELAB_MUTANTS_PARALLEL) || 2;
/** One conformance run (a cluster start and a few checks, some waiting out grace periods) on a busy machine. */
const RUN_TIMEOUT_MS = 240_000;

const mutants = loadMutants();

function gitApplyCheck(patch: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['apply', '--check', patch], { cwd: REPO_ROOT }, (err, stdout, stderr) => resolve(err ? `${stderr}${stdout}` || err.message : undefined));
  });
}

function describeRun(run: CheckRun): string {
  const skipped = run.skipped.map((s) => `${s.id} (skipped: ${s.reason})`);
  return [
    `passed: ${run.passed.join(', ') || 'none'}`,
    `failed: ${run.failed.join(', ') || 'none'}`,
    `skipped: ${skipped.join(', ') || 'none'}`,
    ...(run.error ? [run.error] : []),
  ].join('\n');
}

describe('conformance mutants', () => {
  it('lists at least 15 mutants, each with its patch and checks that exist', async () => {
    expect(mutants.length).toBeGreaterThanOrEqual(15);
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    for (const m of [...mutants, ...loadMutants('survivors')]) {
      expect(existsSync(patchPath(m)), `${m.id}.patch`).toBe(true);
      // The reference changed under a patch that no longer applies: redo it (the test says which).
      const problem = await gitApplyCheck(patchPath(m));
      expect(problem, `mutant ${m.id}: its patch no longer applies to ${m.file}; redo the patch`).toBeUndefined();
    }
  });

  it('every mutant fails at least one of its checks; an unpatched copy passes', async () => {
    // An API check, a pod on a node, and a controller at work: enough to show that the copy runs.
    const baselineChecks = ['api.errors.conflict', 'pods.lifecycle.running', 'replicasets.replicas.scale'];
    // The baseline runs in the same pool as the mutants: it is one more cluster, not a wait before them.
    type Job = { kind: 'baseline' } | { kind: 'mutant'; index: number };
    const jobs: Job[] = [{ kind: 'baseline' }, ...mutants.map((_, index) => ({ kind: 'mutant' as const, index }))];
    let baseline: CheckRun | undefined;
    const results: MutantResult[] = [];
    const started = Date.now();
    await inParallel(jobs, PARALLEL, async (job) => {
      if (job.kind === 'mutant') {
        results[job.index] = await runMutant(mutants[job.index], RUN_TIMEOUT_MS);
        return;
      }
      const copy = copyReference();
      try {
        baseline = await runChecks(copy, baselineChecks, RUN_TIMEOUT_MS);
      } finally {
        removeCopy(copy);
      }
    });
    const summary = summarize(results);
    const base = baseline!;
    console.log(`  ${'baseline (unpatched copy)'.padEnd(40)} ${(base.durationMs / 1000).toFixed(1).padStart(6)} s  ${base.passed.length} of ${baselineChecks.length} checks passed\n`
      + `${summary}\n(${mutants.length + 1} conformance runs, ${PARALLEL} at a time, in ${((Date.now() - started) / 1000).toFixed(0)} s)`);

    expect(base.failed.length + base.skipped.length === 0 && !base.error,
      `these checks must pass on an unpatched copy of the reference, or a kill proves nothing:\n${describeRun(base)}\n${base.output.slice(-4000)}`).toBe(true);
    for (const r of results) {
      expect(r.verdict, `mutant ${r.mutant.id} (${r.mutant.bug})\nchecks run: ${r.mutant.checks.join(', ')}\n${describeRun(r)}\n${r.output.slice(-3000)}`).toBe('killed');
    }
  }, 20 * 60_000);
});
