// The suite's self-test (issue "Guarding against bad implementations"): a
// check must never pass because nothing happened. `kubelab grade` grades an
// implementation that accepts every valid request and does nothing with it
// (tests/fixtures/do-nothing: the reference's API server alone, with no
// scheduler, no controller manager and no node), on every lab. The API basics
// may score anything; every other lab must earn nothing: each of its checks
// fails or is skipped with a reason, and none is missing from the run. (What
// Kubernetes does in the API server alone, admission, is graded in the api lab:
// conformance/checks/api/admission.check.ts.)
//
// Against an implementation that never acts, every wait for something to
// happen fails however long it is, so the run shortens every wait of the
// checks (KUBELAB_WAIT_SCALE, conformance/lib/run-settings.ts): the same
// verdicts in minutes instead of the full timeouts. With no node, the checks
// that need one are skipped, each saying so. The run takes under a minute on
// two busy cores, the checks side by side; the timeouts leave room for a
// machine busier still.

import { expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../support/run-command.ts';
import { NOT_RUN } from '../../conformance/grading/scoring.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'tests/fixtures/do-nothing');
const WAIT_SCALE = '0.1';


interface GradedCheck { id: string; points: number; score: number; status: 'passed' | 'failed' | 'skipped'; reason?: string }
interface GradedLab { name: string; score: number; maxScore: number; steps: { checks: GradedCheck[] }[] }
interface Outcome { id: string; lab: string; durationMs: number }

function pad(text: string | number, width: number): string {
  return String(text).padEnd(width);
}

/** One line per lab: score, what its checks did, and how long they took (added up: concurrent checks overlap). */
function table(labs: GradedLab[], outcomes: Outcome[]): string {
  const lines = [`${pad('lab', 12)} ${pad('score', 8)} ${pad('passed', 7)} ${pad('failed', 7)} ${pad('skipped', 8)} check time`];
  for (const lab of labs) {
    const checks = lab.steps.flatMap((s) => s.checks);
    const count = (status: string) => checks.filter((c) => c.status === status).length;
    const ms = outcomes.filter((o) => o.lab === lab.name).reduce((sum, o) => sum + o.durationMs, 0);
    lines.push(`${pad(lab.name, 12)} ${pad(`${lab.score}/${lab.maxScore}`, 8)} ${pad(count('passed'), 7)} ${pad(count('failed'), 7)} ${pad(count('skipped'), 8)} ${(ms / 1000).toFixed(1)} s`);
  }
  return lines.join('\n');
}

it('grades an implementation that does nothing: zero on every lab beyond the API basics, no check passed for nothing', async () => {
  // A folder of its own: the run's .kubelab/last-run.json (each check's duration) goes there, not into the checkout.
  const work = mkdtempSync(join(tmpdir(), 'kubelab-do-nothing-'));
  const out = join(work, 'grade');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', KUBELAB_WAIT_SCALE: WAIT_SCALE };
    delete env.GITHUB_STEP_SUMMARY;
    const startedAt = Date.now();
    const run = await runCommand('node', [join(ROOT, 'bin/kubelab.js'), 'grade', '--impl', FIXTURE, '--out', out], { cwd: work, env, timeout: 600_000 });
    const seconds = (Date.now() - startedAt) / 1000;
    expect(run.status, run.stdout.slice(-3000) + run.stderr.slice(-3000)).toBe(0);
    expect(existsSync(join(out, 'grade.json'))).toBe(true);

    const labs: GradedLab[] = JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8')).labs;
    const outcomes: Outcome[] = JSON.parse(readFileSync(join(work, '.kubelab', 'last-run.json'), 'utf8')).checks;
    console.log(`kubelab grade of an implementation that does nothing (KUBELAB_WAIT_SCALE=${WAIT_SCALE}), ${seconds.toFixed(0)} s:\n${table(labs, outcomes)}`);

    expect(labs.map((l) => l.name)).toContain('api');
    const all = labs.flatMap((lab) => lab.steps.flatMap((s) => s.checks));
    // Every check ran: a check file that failed to load would otherwise look like a failure here.
    expect(all.filter((c) => c.reason === NOT_RUN).map((c) => c.id)).toEqual([]);

    for (const lab of labs.filter((l) => l.name !== 'api')) {
      const checks = lab.steps.flatMap((s) => s.checks);
      const passed = checks.filter((c) => c.status === 'passed');
      expect(passed.map((c) => c.id), `checks of lab ${lab.name} that passed against an implementation that does nothing`).toEqual([]);
      expect(lab.score, `lab ${lab.name}: points earned by an implementation that does nothing`).toBe(0);
      for (const check of checks.filter((c) => c.status !== 'passed')) expect(check.reason ?? '', `why ${check.id} ${check.status}`).toMatch(/\S/);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 630_000);
