// `kubelab conformance`: grades an implementation from its kubelab.yaml and
// reports in forms people and CI read. An implementation that serves nothing
// fails the checks; the reference passes them.

import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the CLI without blocking this worker (vitest's own messages must go on while a run takes a minute). */
function kubelab(args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('node', [join(ROOT, 'bin/kubelab.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGINT'), 115_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('kubelab conformance', () => {
  it('fails an implementation that serves no resources, check by check, in JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelab-report-'));
    try {
      const out = join(dir, 'report.json');
      const run = await kubelab(['conformance', '--impl', 'tests/fixtures/empty-apiserver', '--lab', 'api', '--reporter', 'json', '--out', out]);
      expect(run.code, run.stderr).toBe(1);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      expect(report.kind).toBe('ConformanceReport');
      expect(report.summary.failed).toBeGreaterThan(30);
      expect(report.summary.points).toBeLessThan(report.summary.maxPoints / 4);
      const crud = report.checks.find((c: any) => c.id === 'api.crud.pod');
      expect(crud.status).toBe('failed');
      expect(crud.message).toMatch(/expected|404|Not ?Found/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('passes the reference and prints one line per selected check, then the totals', async () => {
    const run = await kubelab(['conformance', '--check', 'api.crud.pod', 'api.errors.conflict']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ api\.crud\.pod: /);
    expect(run.stdout).toMatch(/✓ api\.errors\.conflict: /);
    expect(run.stdout).toMatch(/^2 passed, 0 failed, 0 skipped$/m);
    expect(run.stdout).not.toMatch(/\x1b\[/); // no colours when not on a terminal
  }, 120_000);

  it('fails a run whose --check names no check, even where the others passed', async () => {
    // The id's file exists (api/crud): vitest finds the file, runs nothing from it, and reports no failure.
    const run = await kubelab(['conformance', '--check', 'api.crud.pod', 'api.crud.no-such-check']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✓ api\.crud\.pod: /);
    expect(run.stderr).toMatch(/no check has the id api\.crud\.no-such-check: --check takes whole ids/);
  }, 120_000);

  it('writes JUnit XML that names each check and its lab', async () => {
    const run = await kubelab(['conformance', '--check', 'api.crud.configmap', '--reporter', 'junit']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('<?xml')).toBe(true);
    expect(run.stdout).toMatch(/<testsuite name="api" tests="1" failures="0"/);
    expect(run.stdout).toMatch(/<testcase classname="api" name="api\.crud\.configmap: /);
  }, 120_000);

  it('says what is wrong when the implementation has no kubelab.yaml', async () => {
    const run = await kubelab(['conformance', '--impl', 'tests/fixtures', '--check', 'api.crud.pod']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/kubelab\.yaml: not found/);
  }, 120_000);
});

// Focus and replay, in one folder as a student would: a run with failures
// (--grep), the failed checks again (--rerun-failed, with --repeat and --seed),
// then nothing left to rerun. The failures come from an implementation that
// serves no resources; the rerun is against the reference, which passes them.
describe('kubelab conformance: focus and replay', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'kubelab-replay-'));
  const EMPTY = join(ROOT, 'tests/fixtures/empty-apiserver');
  const lastRun = () => JSON.parse(readFileSync(join(cwd, '.kubelab', 'last-run.json'), 'utf8'));
  const checkLines = (stdout: string) => stdout.split('\n').filter((l) => /^[✓✗↓] /.test(l));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('--rerun-failed says so when this folder has no last run, before starting anything', async () => {
    const run = await kubelab(['conformance', '--rerun-failed'], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--rerun-failed: there is no last run in this folder/);
  }, 120_000);

  it('--grep runs exactly the checks whose id matches; a failure shows what was seen, the logs, and the seed', async () => {
    const run = await kubelab(['conformance', '--impl', EMPTY, '--grep', '^API\\.crud\\.(pod|configmap)$'], cwd);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(checkLines(run.stdout).map((l) => l.split(':')[0]).sort()).toEqual(['✗ api.crud.configmap', '✗ api.crud.pod']);
    expect(run.stdout).toMatch(/^FAIL api\.crud\.pod: /m);
    expect(run.stdout).toMatch(/404/);
    // The implementation's own output: this one writes none, and the report says so.
    expect(run.stdout).toMatch(/the implementation wrote nothing to its logs|last lines of the implementation's logs/);
    const seed = Number(/^seed (\d+)$/m.exec(run.stdout)?.[1]);
    expect(seed).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`seed ${seed}\\n`));
    expect(lastRun().seed).toBe(seed);
    expect(lastRun().checks.map((c: any) => `${c.id} ${c.status}`).sort()).toEqual(['api.crud.configmap failed', 'api.crud.pod failed']);
  }, 120_000);

  it('--rerun-failed runs just the checks that failed, --repeat 2 runs each twice, --seed is the one printed', async () => {
    const run = await kubelab(['conformance', '--rerun-failed', '--repeat', '2', '--seed', '4242'], cwd);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^seed 4242, each check runs 2 times$/m);
    const lines = checkLines(run.stdout);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['✓ api.crud.configmap', '✓ api.crud.pod']);
    for (const line of lines) expect(line).toMatch(/ 2\/2 passed$/);
    const report = lastRun();
    expect(report.seed).toBe(4242);
    for (const c of report.checks) expect(c).toMatchObject({ status: 'passed', runs: 2, passedRuns: 2, passRate: 1 });
  }, 120_000);

  it('--rerun-failed says so when nothing failed last time', async () => {
    const run = await kubelab(['conformance', '--rerun-failed'], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--rerun-failed: nothing failed in the last run \(2 checks/);
  }, 120_000);

  it('kubelab grade --grep grades the selected checks and lists the others as not run, earning nothing', async () => {
    const out = join(cwd, 'grade');
    const run = await kubelab(['grade', '--impl', EMPTY, '--lab', 'api', '--grep', '^api\\.crud\\.pod$', '--out', out], cwd);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(existsSync(join(out, 'grade.json'))).toBe(true);
    const grade = JSON.parse(readFileSync(join(out, 'grade.json'), 'utf8'));
    const checks = grade.labs.flatMap((l: any) => l.steps.flatMap((s: any) => s.checks));
    expect(checks.find((c: any) => c.id === 'api.crud.pod')).toMatchObject({ status: 'failed', score: 0 });
    const others = checks.filter((c: any) => c.id !== 'api.crud.pod');
    expect(others.length).toBeGreaterThan(10);
    for (const c of others) expect(c).toMatchObject({ status: 'skipped', score: 0, reason: 'not run: not selected by --grep ^api\\.crud\\.pod$' });
    expect(grade.score).toBe(0);
    expect(grade.maxScore).toBeGreaterThan(50); // the lab's full points: what was not run still counts against the score
    expect(lastRun().checks.map((c: any) => c.id)).toEqual(['api.crud.pod']);
  }, 120_000);
});
