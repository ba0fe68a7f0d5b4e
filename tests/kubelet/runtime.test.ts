// The process runtime: images from the catalogue, containers as process
// groups, CRI-format logs, stop with SIGTERM then SIGKILL, exec, and the
// leftovers a killed agent leaves.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseImageRef, ImageCatalogue } from '../../reference/src/kubelet/runtime/images.ts';
import { parseLog } from '../../reference/src/kubelet/runtime/container-log.ts';
import { commandLine, ProcessRuntime } from '../../reference/src/kubelet/runtime/process-runtime.ts';
import { ImagePullError, type ContainerConfig, type ContainerState } from '../../reference/src/kubelet/runtime/runtime.ts';
import { PidRecords } from '../../reference/src/kubelet/runtime/pid-records.ts';
import { processEnv } from '../../reference/src/kubelet/pods/env.ts';
import { processAlive } from './cluster-support.ts';

const IMAGES = fileURLToPath(new URL('../../conformance/images/', import.meta.url));
const nodeDir = mkdtempSync(join(tmpdir(), 'kubelab-runtime-'));
const runtime = new ProcessRuntime({ imagesDir: IMAGES, nodeDir });
const exits = new Map<string, ContainerState>();
runtime.onExit((id, state) => exits.set(id, state));
afterAll(async () => {
  await runtime.shutdown();
  rmSync(nodeDir, { recursive: true, force: true });
});

const podIP = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
let counter = 0;
function config(image: string, args?: string[], extraEnv: Record<string, string> = {}): ContainerConfig {
  const id = `pod-${++counter}/c/0`;
  return {
    id, podUid: `pod-${counter}`, podNamespace: 'default', podName: `p${counter}`, containerName: 'c', image, args, podIP, mounts: {},
    env: processEnv({ hostname: `p${counter}`, imageTag: parseImageRef(image).tag, imageEnv: {}, containerEnv: extraEnv, podIP, mounts: {} }),
  };
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

describe('the image catalogue', () => {
  it('resolves name and tag to the image folder, with an absolute entrypoint', () => {
    const image = new ImageCatalogue(IMAGES).resolve('kubelab/web:2');
    expect(image).toMatchObject({ name: 'kubelab/web', tag: '2', args: [] });
    expect(image.entrypoint).toEqual(['node', join(IMAGES, 'web', 'web.mjs')]);
    expect(image.imageID).toMatch(/^kubelab\/web@sha256:[0-9a-f]{64}$/);
  });

  it('says what is missing for an unknown image, tag, or no tag (latest)', () => {
    const catalogue = new ImageCatalogue(IMAGES);
    expect(() => catalogue.resolve('kubelab/web:3')).toThrow('kubelab/web:3 is not in the image catalogue (kubelab/web has tags 1, 2)');
    expect(() => catalogue.resolve('kubelab/web')).toThrow(ImagePullError);
    expect(() => catalogue.resolve('nginx:1.27')).toThrow(/nginx:1.27 is not in the image catalogue/);
    expect(parseImageRef('localhost:5000/web')).toEqual({ name: 'localhost:5000/web', tag: 'latest' });
  });

  it('builds the command line as Kubernetes does with command and args', () => {
    const image = { entrypoint: ['node', '/img/web.mjs'], args: ['--a'] };
    expect(commandLine({}, image)).toEqual(['node', '/img/web.mjs', '--a']);
    expect(commandLine({ args: ['--b'] }, image)).toEqual(['node', '/img/web.mjs', '--b']);
    expect(commandLine({ command: ['sleep'] }, image)).toEqual(['sleep']);
    expect(commandLine({ command: ['sleep'], args: ['1'] }, image)).toEqual(['sleep', '1']);
  });
});

describe('ProcessRuntime', () => {
  it('runs a container and keeps its output as CRI log lines; exit code and reason', async () => {
    const c = config('kubelab/busybox:1', ['echo', 'hello', 'world']);
    await runtime.startContainer(c, await runtime.pullImage(c.image));
    const state = await until('the exit', () => exits.get(c.id));
    expect(state).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(await runtime.readLogs(c.id)).toBe('hello world\n');
    const lines = parseLog(readFileSync(runtime.logPath(c.id), 'utf8'));
    expect(lines).toEqual([{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), stream: 'stdout', text: 'hello world' }]);
    expect(await runtime.readLogs(c.id, { timestamps: true })).toMatch(/^\d{4}-\d\d-\d\dT\S+Z hello world\n$/);

    const failing = config('kubelab/busybox:1', ['exit', '3']);
    await runtime.startContainer(failing, await runtime.pullImage(failing.image));
    expect(await until('the exit', () => exits.get(failing.id))).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('stops with SIGTERM (exit 143 for busybox), and SIGKILL after the grace period (137)', async () => {
    const polite = config('kubelab/busybox:1', ['sleep', '60']);
    await runtime.startContainer(polite, await runtime.pullImage(polite.image));
    await runtime.stopContainer(polite.id, 5);
    expect(runtime.containerState(polite.id)).toMatchObject({ state: 'exited', exitCode: 143 });

    const stubborn = config('kubelab/web:1', undefined, { IGNORE_SIGTERM: '1', PORT: '0' });
    await runtime.startContainer(stubborn, await runtime.pullImage(stubborn.image));
    // Until it listens, it may not have installed its SIGTERM handler yet.
    await until('the server to listen', () => readFileSync(runtime.logPath(stubborn.id), 'utf8').includes('listening'));
    const started = Date.now();
    await runtime.stopContainer(stubborn.id, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(runtime.containerState(stubborn.id)).toMatchObject({ state: 'exited', exitCode: 137, reason: 'Error' });
  });

  it('follows a log until the container ends, and tails', async () => {
    const c = config('kubelab/busybox:1', ['echo', 'one', '&&', 'sleep', '0.3', '&&', 'echo', 'two']);
    await runtime.startContainer(c, await runtime.pullImage(c.image));
    const lines: string[] = [];
    await new Promise<void>((resolve) => runtime.followLogs(c.id, {}, (line) => lines.push(line), resolve));
    expect(lines).toEqual(['one\n', 'two\n']);
    expect(await runtime.readLogs(c.id, { tailLines: 1 })).toBe('two\n');
  });

  it('runs exec probes inside the container with its environment', async () => {
    const c = config('kubelab/busybox:1', ['sleep', '60'], { GREETING: 'hi' });
    await runtime.startContainer(c, await runtime.pullImage(c.image));
    expect(await runtime.exec(c.id, ['sh', '-c', 'echo $GREETING'], 5000)).toEqual({ exitCode: 0, output: 'hi\n', timedOut: false });
    expect((await runtime.exec(c.id, ['sh', '-c', 'exit 4'], 5000)).exitCode).toBe(4);
    expect((await runtime.exec(c.id, ['sleep', '5'], 200)).timedOut).toBe(true);
    await runtime.stopContainer(c.id, 2);
  });

  it('reports a program that cannot start', async () => {
    const c = { ...config('kubelab/busybox:1'), command: ['/no/such/program'] };
    await expect(runtime.startContainer(c, await runtime.pullImage(c.image))).rejects.toThrow(/failed to start container process/);
  });

  it('kills what a killed agent left running, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelab-pids-'));
    const records = new PidRecords(dir);
    const leftover = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => leftover.once('spawn', r));
    records.add('pod/c/0', leftover.pid!);
    records.add('pod/gone/0', 999_999); // a process that no longer exists
    expect(new PidRecords(dir).killLeftovers()).toEqual(['pod/c/0']);
    await until('the leftover to die', () => leftover.exitCode !== null || leftover.signalCode !== null);
    expect(processAlive(leftover.pid!)).toBe(false);
    expect(new PidRecords(dir).killLeftovers()).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
