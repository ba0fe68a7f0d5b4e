// Focus and replay without a cluster: which checks --grep and --rerun-failed
// select, the seeded input a check can ask for, and the log lines a failure
// report shows.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedInLastRun, selectChecks, writeLastRun } from '../../cli/selection.ts';
import { seededRandom } from '../../conformance/lib/run-settings.ts';
import { lastLogLines } from '../../conformance/report/process-logs.ts';
import type { CheckOutcome } from '../../conformance/report/outcomes.ts';

const CATALOGUE = [
  { id: 'api.crud.pod', title: 'A Pod gets a uid', lab: 'api' },
  { id: 'api.crud.configmap', title: 'A ConfigMap gets a uid', lab: 'api' },
  { id: 'api.watch.resume', title: 'A watch resumes from a resourceVersion', lab: 'api' },
  { id: 'pods.restart.always', title: 'A container that exits is restarted', lab: 'pods' },
];

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-selection-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function outcome(id: string, status: CheckOutcome['status']): CheckOutcome {
  return { id, title: id, lab: id.split('.')[0], points: 1, status, durationMs: 1, file: 'x.check.ts' };
}

describe('--grep', () => {
  it('selects the checks whose id or title matches, in any case', () => {
    expect(selectChecks({ grep: '^api\\.crud\\.' }, CATALOGUE)).toEqual(['api.crud.pod', 'api.crud.configmap']);
    expect(selectChecks({ grep: 'WATCH' }, CATALOGUE)).toEqual(['api.watch.resume']);
    expect(selectChecks({ grep: 'container that exits' }, CATALOGUE)).toEqual(['pods.restart.always']);
  });

  it('narrows --lab and --check rather than adding to them', () => {
    expect(selectChecks({ lab: 'api', grep: 'uid' }, CATALOGUE)).toEqual(['api.crud.pod', 'api.crud.configmap']);
    expect(selectChecks({ check: ['api.crud.pod', 'pods.restart.always'], grep: 'uid' }, CATALOGUE)).toEqual(['api.crud.pod']);
  });

  it('says so when nothing matches or the pattern is not a regular expression', () => {
    expect(() => selectChecks({ grep: 'no-such-check' }, CATALOGUE)).toThrow(/no check matched --grep no-such-check/);
    expect(() => selectChecks({ grep: 'api.(' }, CATALOGUE)).toThrow(/--grep: "api\.\(" is not a regular expression/);
  });
});

describe('--rerun-failed', () => {
  it('selects exactly the checks that failed in the last run', () => {
    const file = join(tempDir(), '.kubelab', 'last-run.json');
    writeLastRun({
      implementation: 'impl', seed: 7,
      checks: [outcome('api.crud.pod', 'failed'), outcome('api.crud.configmap', 'passed'), outcome('api.watch.resume', 'skipped'), outcome('pods.restart.always', 'failed')],
    }, file);
    expect(failedInLastRun(file)).toEqual(['api.crud.pod', 'pods.restart.always']);
    expect(selectChecks({ rerunFailed: true }, CATALOGUE, file)).toEqual(['api.crud.pod', 'pods.restart.always']);
    expect(selectChecks({ rerunFailed: true, lab: 'pods' }, CATALOGUE, file)).toEqual(['pods.restart.always']);
  });

  it('says so when there is no last run, or nothing failed in it', () => {
    const file = join(tempDir(), '.kubelab', 'last-run.json');
    expect(() => failedInLastRun(file)).toThrow(/there is no last run in this folder/);
    writeLastRun({ implementation: 'impl', seed: 7, checks: [outcome('api.crud.pod', 'passed')] }, file);
    expect(() => failedInLastRun(file)).toThrow(/nothing failed in the last run \(1 checks/);
  });
});

describe('seeded input', () => {
  const take = (next: () => number) => Array.from({ length: 5 }, next);

  it('gives a check the same numbers for the same seed, and other numbers for another seed or check', () => {
    const first = take(seededRandom('api.crud.pod', 42));
    expect(take(seededRandom('api.crud.pod', 42))).toEqual(first);
    expect(take(seededRandom('api.crud.pod', 43))).not.toEqual(first);
    expect(take(seededRandom('api.crud.configmap', 42))).not.toEqual(first);
    for (const n of first) expect(n >= 0 && n < 1).toBe(true);
  });
});

describe("the implementation's last log lines", () => {
  it('merges the processes by time, up to the failure, the latest last', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    writeFileSync(join(dir, 'logs', 'control-plane.log'), `${at(1)} stdout listening\n${at(3)} stderr watch closed\n${at(9)} stdout after the failure\n`);
    writeFileSync(join(dir, 'logs', 'node-1.log'), `${at(2)} stdout registered\n${at(4)} stderr container exited\n`);
    const lines = lastLogLines(join(dir, 'kubeconfig'), Date.UTC(2026, 0, 1, 0, 0, 5), 3);
    expect(lines.map((l) => `${l.process}: ${l.text}`)).toEqual(['node-1: registered', 'control-plane: watch closed', 'node-1: container exited']);
  });

  it('has nothing to show for a cluster without log files', () => {
    expect(lastLogLines(join(tempDir(), 'kubeconfig'), Date.now())).toEqual([]);
  });
});
