// `kubelab conformance`: grades an implementation from its kubelab.yaml and
// reports in forms people and CI read. An implementation that serves nothing
// fails the checks; the reference passes them.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function kubelab(args: string[]) {
  const result = spawnSync('node', ['bin/kubelab.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kubelab conformance', () => {
  it('fails an implementation that serves no resources, check by check, in JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelab-report-'));
    try {
      const out = join(dir, 'report.json');
      const run = kubelab(['conformance', '--impl', 'tests/fixtures/empty-apiserver', '--lab', 'api', '--reporter', 'json', '--out', out]);
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

  it('passes the reference and prints one line per selected check, then the totals', () => {
    const run = kubelab(['conformance', '--check', 'api.crud.pod', 'api.errors.conflict']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ api\.crud\.pod: /);
    expect(run.stdout).toMatch(/✓ api\.errors\.conflict: /);
    expect(run.stdout).toMatch(/^2 passed, 0 failed, 0 skipped$/m);
    expect(run.stdout).not.toMatch(/\x1b\[/); // no colours when not on a terminal
  }, 120_000);

  it('writes JUnit XML that names each check and its lab', () => {
    const run = kubelab(['conformance', '--check', 'api.crud.configmap', '--reporter', 'junit']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('<?xml')).toBe(true);
    expect(run.stdout).toMatch(/<testsuite name="api" tests="1" failures="0"/);
    expect(run.stdout).toMatch(/<testcase classname="api" name="api\.crud\.configmap: /);
  }, 120_000);

  it('says what is wrong when the implementation has no kubelab.yaml', () => {
    const run = kubelab(['conformance', '--impl', 'tests/fixtures', '--check', 'api.crud.pod']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/kubelab\.yaml: not found/);
  });
});
