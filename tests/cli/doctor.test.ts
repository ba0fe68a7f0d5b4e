// `kubelab doctor`: passes on the reference, and on a broken implementation
// exits 1 naming what is wrong, one line per item.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findProgram, versionAtLeast, type Finding } from '../../cli/doctor.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'kubelab-doctor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function doctor(...args: string[]): { code: number | null; out: string } {
  const result = spawnSync('node', ['bin/kubelab.js', 'doctor', '--data-dir', join(scratch, 'data'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
  return { code: result.status, out: result.stdout + result.stderr };
}

/** An implementation folder holding this kubelab.yaml. */
function implementation(name: string, yaml: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kubelab.yaml'), yaml);
  return dir;
}

describe('kubelab doctor', () => {
  it('passes on the reference: every required item ✓, exit 0', () => {
    const { code, out } = doctor('--json');
    expect(code, out).toBe(0);
    const report = JSON.parse(out) as { ok: boolean; findings: Finding[] };
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
    const items = report.findings.map((f) => f.item);
    expect(items).toEqual(expect.arrayContaining([
      'Node.js', 'kubectl', 'loopback addresses', 'kubelab.yaml', 'controlPlane command', 'node command', 'lab images', 'etcd', 'data dir',
    ]));
    expect(report.findings.find((f) => f.item === 'kubelab.yaml')?.detail).toContain('kubelab-reference');
  }, 60_000);

  it('a kubelab.yaml whose command is empty: exit 1, the problem named on a ✗ line, no colours off a TTY', () => {
    const dir = implementation('broken', 'name: broken\ncontrolPlane:\n  command: []\n');
    const { code, out } = doctor('--impl', dir);
    expect(code).toBe(1);
    expect(out).toMatch(/^✗ kubelab\.yaml: .*controlPlane\.command must be a non-empty list of strings/m);
    expect(out).toMatch(/^✓ Node\.js: /m);
    expect(out).not.toContain('\x1b[');
  }, 60_000);

  it('a command that is nowhere, or a script not built yet: exit 1, naming it', () => {
    const dir = implementation('missing', [
      'name: missing',
      'controlPlane: { command: ["no-such-program-kubelab", "serve"] }',
      'node: { command: ["node", "dist/node.js"] }',
    ].join('\n'));
    const { code, out } = doctor('--impl', dir, '--json');
    expect(code).toBe(1);
    const failed = (JSON.parse(out).findings as Finding[]).filter((f) => f.status === 'fail');
    expect(failed.map((f) => f.item)).toEqual(['controlPlane command', 'node command']);
    expect(failed[0].detail).toContain('no-such-program-kubelab is neither on PATH nor a file in');
    expect(failed[1].detail).toContain('dist/node.js not found in');
  }, 60_000);

  it('compares versions number by number and finds programs on PATH or beside kubelab.yaml', () => {
    expect(versionAtLeast('20.19.0', '20.19')).toBe(true);
    expect(versionAtLeast('v22.1.0', '20.19')).toBe(true);
    expect(versionAtLeast('20.9.0', '20.19')).toBe(false);
    expect(versionAtLeast('18.20.4', '20.19')).toBe(false);
    expect(findProgram('node', ROOT)).toBeDefined();
    expect(findProgram('bin/kubelab.js', ROOT)).toBe(join(ROOT, 'bin/kubelab.js'));
    expect(findProgram('./no-such-file', ROOT)).toBeUndefined();
  });
});
