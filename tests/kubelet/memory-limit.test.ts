// The memory limit: a real node child that allocates is measured by polling
// /proc and reported once over its limit; the process runtime kills such a
// container and reports it as Kubernetes reports an OOM kill (OOMKilled, 137).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { overMemoryLimit, treeResidentBytes, watchMemory } from '../../reference/src/kubelet/runtime/memory-limit.ts';
import { ProcessRuntime } from '../../reference/src/kubelet/runtime/process-runtime.ts';
import { parseImageRef } from '../../reference/src/kubelet/runtime/images.ts';
import type { ContainerConfig, ContainerState } from '../../reference/src/kubelet/runtime/runtime.ts';
import { processEnv } from '../../reference/src/kubelet/pods/env.ts';

const MiB = 1024 * 1024;
const IMAGES = fileURLToPath(new URL('../../conformance/images/', import.meta.url));
const nodeDir = mkdtempSync(join(tmpdir(), 'kubelab-memory-'));
const runtime = new ProcessRuntime({ imagesDir: IMAGES, nodeDir });
const exits = new Map<string, ContainerState>();
runtime.onExit((id, state) => exits.set(id, state));
const children: number[] = [];
afterAll(async () => {
  for (const pid of children) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  await runtime.shutdown();
  rmSync(nodeDir, { recursive: true, force: true });
});

/** A node process that holds `mb` MiB (pages touched) after `afterMs`, and then idles. */
function allocator(mb: number, afterMs: number) {
  const program = `setTimeout(() => { globalThis.held = []; for (let i = 0; i < ${mb}; i++) globalThis.held.push(Buffer.allocUnsafe(${MiB}).fill(1)); }, ${afterMs}); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', program], { stdio: 'ignore' });
  children.push(child.pid!);
  return child;
}

async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let counter = 0;
function webConfig(memoryLimitBytes: number | undefined, env: Record<string, string>): ContainerConfig {
  const podIP = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
  const id = `mem-${++counter}/web/0`;
  const image = 'kubelab/web:1';
  return {
    id, podUid: `mem-${counter}`, podNamespace: 'default', podName: `m${counter}`, containerName: 'web', image, podIP, mounts: {},
    env: processEnv({ hostname: `m${counter}`, imageTag: parseImageRef(image).tag, imageEnv: {}, containerEnv: { PORT: String(20000 + counter), ...env }, podIP, mounts: {} }),
    ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
  };
}

describe('the memory watcher', () => {
  it('over means strictly above the limit', () => {
    expect(overMemoryLimit(64 * MiB, 64 * MiB)).toBe(false);
    expect(overMemoryLimit(64 * MiB + 1, 64 * MiB)).toBe(true);
  });

  it('measures a real process growing and reports once it goes over the limit, not before', async () => {
    const child = allocator(150, 600);
    await until('the child to start', () => treeResidentBytes(child.pid!) > 0);
    const start = Date.now();
    const seen: number[] = [];
    const watch = watchMemory(child.pid!, 100 * MiB, (usage) => seen.push(usage), 50);
    await until('the limit to be reported', () => seen.length > 0);
    watch.stop();
    expect(Date.now() - start).toBeGreaterThanOrEqual(500); // not before it allocated
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThan(100 * MiB);
    child.kill('SIGKILL');
  });

  it('counts the descendants of the process, as a cgroup holds them all', async () => {
    const program = `require('node:child_process').spawn(process.execPath, ['-e', 'globalThis.h = Buffer.allocUnsafe(${80 * MiB}).fill(1); setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', program], { stdio: 'ignore', detached: true });
    children.push(parent.pid!);
    try {
      await until('parent and child to hold the 80 MiB', () => treeResidentBytes(parent.pid!) > 100 * MiB);
    } finally {
      process.kill(-parent.pid!, 'SIGKILL');
    }
  });
});

describe('the process runtime with a memory limit', () => {
  it('kills a container over its limit with SIGKILL and reports it OOMKilled, exit code 137', async () => {
    const config = webConfig(64 * MiB, { ALLOCATE_MB: '200', ALLOCATE_AFTER_SECONDS: '0.3' });
    await runtime.startContainer(config, await runtime.pullImage(config.image));
    const state = await until('the container to be killed', () => exits.get(config.id));
    expect(state).toMatchObject({ state: 'exited', exitCode: 137, reason: 'OOMKilled', signal: 'SIGKILL' });
  });

  it('leaves alone a container under its limit, and one without a limit', async () => {
    const under = webConfig(256 * MiB, { ALLOCATE_MB: '32' });
    const unlimited = webConfig(undefined, { ALLOCATE_MB: '100' });
    for (const c of [under, unlimited]) await runtime.startContainer(c, await runtime.pullImage(c.image));
    await new Promise((r) => setTimeout(r, 1500));
    expect(runtime.containerState(under.id)?.state).toBe('running');
    expect(runtime.containerState(unlimited.id)?.state).toBe('running');
    await runtime.stopContainer(under.id, 0);
    expect(exits.get(under.id)).not.toMatchObject({ reason: 'OOMKilled' }); // stopped, not killed for its memory
    await runtime.stopContainer(unlimited.id, 0);
  });
});
