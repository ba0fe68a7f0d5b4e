// `kubelab disrupt`: reaches the cluster through the control file that
// `kubelab up` (and the kubectl session, as the lessons' try-it test uses it)
// writes, really breaks and mends a node, and says clearly (exit 2) what is
// wrong when it cannot: an unknown action, a missing target, no running
// cluster, or a refusal of the cluster itself.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../conformance/harness/ports.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';
import { KUBECTL, kubectlSession, kubectlTitle } from '../kubectl/support.ts';
import { disruptionFor, DisruptError } from '../../cli/disrupt.ts';
import { findDataDir } from '../../cli/control-file.ts';
import { processAlive } from '../kubelet/cluster-support.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('kubelab disrupt: reading the command line', () => {
  it('turns an action and its target into the control endpoint\'s request', () => {
    expect(disruptionFor('kill-node', 'node-2', {})).toEqual({ action: 'kill-node', name: 'node-2' });
    expect(disruptionFor('stop-component', 'scheduler', {})).toEqual({ action: 'stop-component', name: 'scheduler' });
    expect(disruptionFor('restart-control-plane', undefined, {})).toEqual({ action: 'restart-control-plane' });
    expect(disruptionFor('kill-container', 'web-1', { namespace: 'lab', container: 'web' })).toEqual({ action: 'kill-container', namespace: 'lab', pod: 'web-1', container: 'web' });
  });

  it('refuses an unknown action, a missing target, and a target where none is taken', () => {
    expect(() => disruptionFor('explode-node', 'node-1', {})).toThrow(DisruptError);
    expect(() => disruptionFor('kill-node', undefined, {})).toThrow(/kill-node needs a node name/);
    expect(() => disruptionFor('stop-control-plane', 'node-1', {})).toThrow(/takes no target/);
    expect(() => disruptionFor('kill-container', 'web-1', { namespace: 'lab' })).toThrow(/-n NAMESPACE -c CONTAINER/);
  });

  it('finds the data folder: --data-dir, else KUBELAB_DIR, else the nearest .kubelab with a control.json above', () => {
    const top = mkdtempSync(join(tmpdir(), 'kubelab-find-'));
    try {
      const lesson = join(top, 'labs', '07-failures');
      expect(findDataDir(undefined, {}, lesson)).toBeUndefined();
      mkdirSync(join(top, '.kubelab'));
      writeFileSync(join(top, '.kubelab', 'control.json'), '{}');
      mkdirSync(lesson, { recursive: true });
      expect(findDataDir(undefined, {}, lesson)).toBe(join(top, '.kubelab'));
      expect(findDataDir(undefined, { KUBELAB_DIR: '/elsewhere' }, lesson)).toBe('/elsewhere');
      expect(findDataDir('mine', { KUBELAB_DIR: '/elsewhere' }, lesson)).toBe(join(lesson, 'mine'));
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!KUBECTL)(kubectlTitle('kubelab disrupt against a running cluster'), () => {
  const session = kubectlSession({ name: 'disrupt', nodes: 2, profile: 'fast', timeoutMs: 60_000 });
  beforeAll(() => session.start(), 90_000);
  afterAll(() => session.stop(), 60_000);

  /** `kubelab disrupt ARGS…` as a student would run it, with the session's environment (KUBELAB_DIR). */
  const kubelab = (args: string[], env: NodeJS.ProcessEnv = session.env): Promise<CommandResult> =>
    runCommand('node', [join(ROOT, 'bin/kubelab.js'), 'disrupt', ...args], { cwd: ROOT, env, timeout: 60_000 });

  const readyStatus = async (node: string) => (await session.ok('get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')).trim();

  it('kill-node ends the node\'s process, its Node goes Unknown; start-node brings it back Ready', async () => {
    const pid = session.cluster.pidOf('node-2')!;
    expect(pid).toBeGreaterThan(0);

    const killed = await kubelab(['kill-node', 'node-2']);
    expect(killed.status, killed.stderr).toBe(0);
    expect(killed.stdout.trim()).toBe('kubelab: killed node node-2 and its containers');
    expect(processAlive(pid), `process ${pid} of node-2 is gone`).toBe(false);
    expect(session.cluster.pidOf('node-2')).toBeUndefined();

    // The node lifecycle controller notices after the grace period (8 s in the fast profile).
    await session.ok('wait', '--for=condition=Ready=Unknown', 'node/node-2', '--timeout=40s');

    const started = await kubelab(['start-node', 'node-2']);
    expect(started.status, started.stderr).toBe(0);
    expect(started.stdout.trim()).toBe('kubelab: started node node-2');
    expect(session.cluster.pidOf('node-2')).toBeGreaterThan(0);
    await session.ok('wait', '--for=condition=Ready', 'node/node-2', '--timeout=40s');
    expect(await readyStatus('node-2')).toBe('True');
  }, 120_000);

  it('passes on the cluster\'s refusal (no such node), exit 2', async () => {
    const result = await kubelab(['kill-node', 'node-9']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('kubelab disrupt: the cluster refused to kill-node node-9: no node named node-9');
    expect(result.stderr).toContain('node-1, node-2');
  });

  it('says so when the target or the action is wrong, exit 2, without touching the cluster', async () => {
    const unknown = await kubelab(['kill-nodes', 'node-1']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown action "kill-nodes"; one of: kill-node, start-node');
    const missing = await kubelab(['stop-component']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('stop-component needs a component name');
    expect(await readyStatus('node-1')).toBe('True');
  });

  it('finds no running cluster: no control.json, or one nobody answers at (a killed kubelab up)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kubelab-nocluster-'));
    try {
      const none = await kubelab(['kill-node', 'node-1', '--data-dir', empty]);
      expect(none.status).toBe(2);
      expect(none.stderr).toContain(`no running cluster in ${empty} (no control.json)`);

      writeFileSync(join(empty, 'control.json'), JSON.stringify({ url: `http://127.0.0.1:${await freePort()}`, secret: 'x' }));
      const stale = await kubelab(['kill-node', 'node-1'], { ...session.env, KUBELAB_DIR: empty });
      expect(stale.status).toBe(2);
      expect(stale.stderr).toMatch(/no running cluster in .*: its control endpoint http:\/\/127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(await readyStatus('node-1')).toBe('True');
  });
});
