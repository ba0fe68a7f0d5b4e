// `kubelab grade` end to end against the reference, on one small lab: it
// writes the four reports with the lab's totals and exits 0; --min-score above
// what can be earned exits 1 with a line saying so; and when grading cannot
// run at all (no kubelab.yaml, no cluster) it exits 2 without writing a grade;
// a failing implementation still exits 0: a low score is a grade.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

import { runCommand } from '../support/run-command.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function kubelab(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.GITHUB_STEP_SUMMARY;
  const result = await runCommand('node', ['bin/kubelab.js', ...args], { cwd: ROOT, timeout: 120_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kubelab grade', () => {
  const lab = parse(readFileSync(join(ROOT, 'labs/06-namespaces/lab.yaml'), 'utf8'));
  const maxScore = lab.steps.reduce((n: number, s: { points: number }) => n + s.points, 0);

  it('grades the reference on the namespaces lab: full marks, four reports, exit 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kubelab-grade-'));
    try {
      const run = await kubelab(['grade', '--impl', '.', '--lab', 'namespaces', '--out', out]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const grade = JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8'));
      expect(grade).toMatchObject({ kind: 'KubelabGrade', score: maxScore, maxScore });
      expect(grade.labs.map((l: any) => [l.name, l.score, l.maxScore])).toEqual([['namespaces', maxScore, maxScore]]);
      expect(grade.labs[0].steps.map((s: any) => s.id)).toEqual(lab.steps.map((s: any) => s.id));
      const checks = grade.labs[0].steps.flatMap((s: any) => s.checks);
      expect(checks.map((c: any) => c.status)).toEqual(checks.map(() => 'passed'));
      expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).score).toBe(maxScore);
      expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain(`<property name="score" value="${maxScore}"/>`);
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`# kubelab grade: ${maxScore}/${maxScore} points (100%)`);
      expect(run.stdout).toMatch(new RegExp(`namespaces\\s+${maxScore}/${maxScore}\\s+100%`));
      expect(run.stdout).not.toContain('\x1b[');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);

  it('exits 1 below --min-score, after writing the reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kubelab-grade-'));
    try {
      const run = await kubelab(['grade', '--impl', '.', '--lab', 'namespaces', '--out', out, '--min-score', '101%']);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toContain(`kubelab grade: FAILED: score ${maxScore}/${maxScore} (100%) is below --min-score 101%`);
      expect(JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8')).score).toBe(maxScore);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);

  it('exits 0 for an implementation that fails the checks: a low score is a grade, not an error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kubelab-grade-'));
    try {
      const run = await kubelab(['grade', '--impl', 'tests/fixtures/empty-apiserver', '--lab', 'namespaces', '--out', out]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const grade = JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8'));
      expect(grade.maxScore).toBe(maxScore);
      expect(grade.score).toBeLessThan(maxScore);
      const failed = grade.labs[0].steps.flatMap((s: any) => s.checks).filter((c: any) => c.status === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      for (const check of failed) expect(check.reason, check.id).toMatch(/\S/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);

  it('exits 2 when grading cannot run: no kubelab.yaml, a cluster that does not start, a bad --min-score', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kubelab-grade-'));
    try {
      const missing = await kubelab(['grade', '--impl', out, '--lab', 'namespaces', '--out', join(out, 'reports')]);
      expect(missing.code, missing.stdout + missing.stderr).toBe(2);
      expect(missing.stderr).toMatch(/kubelab grade: could not grade: .*kubelab\.yaml/);
      expect(existsSync(join(out, 'reports', 'grade.json'))).toBe(false);
      // A control plane that exits at once: the cluster never starts, so there is nothing to grade.
      writeFileSync(join(out, 'kubelab.yaml'), 'name: broken\ncontrolPlane:\n  command: ["node", "-e", "process.exit(3)"]\n');
      const broken = await kubelab(['grade', '--impl', out, '--lab', 'namespaces', '--out', join(out, 'reports')]);
      expect(broken.code, broken.stdout + broken.stderr).toBe(2);
      expect(broken.stderr).toContain('kubelab grade: could not grade: the checks could not run: the cluster did not start');
      expect(existsSync(join(out, 'reports', 'grade.json'))).toBe(false);
      const badThreshold = await kubelab(['grade', '--lab', 'namespaces', '--out', join(out, 'reports'), '--min-score', 'lots']);
      expect(badThreshold.code).toBe(2);
      expect(badThreshold.stderr).toContain('--min-score must be points (120) or a percentage (80%), not "lots"');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
