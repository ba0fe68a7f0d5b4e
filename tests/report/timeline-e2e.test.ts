// A failed check leaves its timeline beside the report: here the reference with
// a scheduler that binds nothing fails pods.lifecycle.running, and the page
// shows the check's steps, a process's log lines and the watch events it saw.

import { describe, expect, it } from 'vitest';
import { runCommand } from '../support/run-command.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the failure timeline', () => {
  it('is written beside the JSON report, with steps, log lines and watch events on one axis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelab-timeline-'));
    try {
      const out = join(dir, 'report.json');
      const run = await runCommand('node', ['bin/kubelab.js', 'conformance', '--impl', 'tests/report/fixtures/no-scheduler',
        '--check', 'pods.lifecycle.running', '--nodes', '1', '--reporter', 'json', '--out', out],
      { cwd: ROOT, timeout: 150_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(run.status, run.stdout + run.stderr).toBe(1);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const failed = report.checks.find((c: any) => c.id === 'pods.lifecycle.running');
      expect(failed.status).toBe('failed');
      const page = join(dir, 'timeline-pods.lifecycle.running.html');
      expect(failed.timeline).toBe(page);
      expect(existsSync(page)).toBe(true);
      const html = readFileSync(page, 'utf8');
      const rows = [...html.matchAll(/<tr [^>]*><td class="t">([^<]+)<\/td><td class="l">([^<]+)<\/td><td class="text">([^<]*)<\/td>/g)]
        .map((m) => ({ lane: m[2], text: m[3] }));
      // The failure message at the top; the check's own steps.
      expect(html).toContain('<pre class="failure">expected: Pod web Running and Ready within 20 s');
      expect(rows).toContainEqual({ lane: 'check steps', text: expect.stringMatching(/^create namespace pods-lifecycle-running-/) });
      expect(rows).toContainEqual({ lane: 'check steps', text: 'create Pod web (kubelab/web:1)' });
      // A process's log line, from the window of the check.
      expect(rows).toContainEqual({ lane: 'log: scheduler', text: 'lazy-scheduler: not binding any pod' });
      // Watch events of the check's namespace (its pod, never bound) and of the Nodes.
      expect(rows).toContainEqual({ lane: 'watch: Pod', text: expect.stringMatching(/^ADDED Pod pods-lifecycle-running-[0-9a-f-]+\/web: Pending node=- ready 0\/1/) });
      expect(rows.some((r) => r.lane === 'watch: Node' && /^(ADDED|MODIFIED) Node node-1: .*Ready=True/.test(r.text))).toBe(true);
      // In time order: the pod is created (a step) before its ADDED event, and the failure comes last.
      const created = rows.findIndex((r) => r.text === 'create Pod web (kubelab/web:1)');
      const added = rows.findIndex((r) => r.lane === 'watch: Pod' && r.text.startsWith('ADDED'));
      expect(created).toBeLessThan(added);
      expect(rows.findIndex((r) => r.text.startsWith('check failed:'))).toBeGreaterThan(added);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
