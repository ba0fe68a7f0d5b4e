// The harness against implementations that misbehave on purpose (tests/fixtures/hostile/):
// every phase is bounded, the error names the phase and shows the process's last
// lines, output kept per process is bounded in memory and on disk, and no process
// is left behind, not even one that ignores SIGTERM in a process group of its own, nor
// the helpers of a process that crashed; output without end goes through without filling memory or disk.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessCluster, type ProcessClusterOptions } from '../../conformance/harness/process-driver.ts';
import { readStat } from '../../conformance/harness/process-tree.ts';
import { MAX_LINE_BYTES, MAX_LOG_BYTES } from '../../conformance/harness/bounded-output.ts';

const HOSTILE = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
const linux = readStat(process.pid) !== undefined;
const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function options(fixture: string, extra: Partial<ProcessClusterOptions> = {}): ProcessClusterOptions {
  const dataDir = mkdtempSync(join(tmpdir(), `kubelab-hostile-${fixture}-`));
  dataDirs.push(dataDir);
  return { implDir: join(HOSTILE, fixture), dataDir, nodes: 0, readyTimeoutMs: 3000, ...extra };
}

/** The pids the fixture's processes recorded in a pids file under the data folder. */
function recordedPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A pid still runs unless /proc has no such process or only its zombie. */
function running(pid: number): boolean {
  const stat = readStat(pid);
  return !!stat && stat.state !== 'Z';
}

async function startFailure(opts: ProcessClusterOptions): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  const error = await ProcessCluster.start(opts).then(
    async (cluster) => { await cluster.stop(); throw new Error('start-up was expected to fail'); },
    (err: Error) => err,
  );
  return { error, ms: Date.now() - started };
}

async function waitFor<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!linux)('the harness against hostile implementations', () => {
  it('never ready: start-up gives up within its bound, names the phase and the last lines, and leaves no process', async () => {
    const opts = options('never-ready');
    const { error, ms } = await startFailure(opts);
    expect(error.message).toMatch(/^start-up: the control plane was not ready within 3 s \(/);
    expect(error.message).toContain('never-ready: listening, and never answering');
    // 3 s of waiting, plus certificates and a stop well under its 5 s grace (room for a loaded machine).
    expect(ms).toBeLessThan(10_000);
    const pids = recordedPids(join(opts.dataDir, 'control-plane', 'pids'));
    expect(pids).toHaveLength(1);
    expect(pids.filter(running)).toEqual([]);
  }, 30_000);

  it('crash loop: start-up fails at once with the exit code and what the process printed', async () => {
    const opts = options('crash-loop', { readyTimeoutMs: 20_000 });
    const { error, ms } = await startFailure(opts);
    expect(error.message).toMatch(/^start-up: the control plane exited \(code 3\) before the cluster was ready/);
    expect(error.message).toContain('crash-loop: starting');
    expect(error.message).toContain('crash-loop: cannot open the store: no such file or directory');
    expect(ms).toBeLessThan(8000); // far from the 20 s bound: it did not wait for a process that is gone
  }, 30_000);

  it('crash that leaves helpers behind: start-up fails at once, and neither helper survives, not even the one that left the group', async () => {
    const opts = options('crash-with-children', { readyTimeoutMs: 20_000 });
    const { error, ms } = await startFailure(opts);
    expect(error.message).toMatch(/^start-up: the control plane exited \(code 4\) before the cluster was ready/);
    expect(error.message).toContain('crash-with-children: helpers started, now crashing');
    expect(ms).toBeLessThan(12_000); // far from the 20 s bound
    const pids = recordedPids(join(opts.dataDir, 'control-plane', 'pids'));
    expect(pids).toHaveLength(3);
    // Orphans are handed to init when their parent dies; give a SIGKILL a moment to land.
    await waitFor('no recorded process to run', () => (pids.some(running) ? undefined : true), 3000)
      .catch(() => expect(pids.filter(running), 'helpers left running after the crash').toEqual([]));
  }, 30_000);

  it('endless output: a gigabyte and more goes through with bounded memory and log, and stop() still ends it', async () => {
    const opts = options('endless-output');
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); }, 50);
    const cluster = await ProcessCluster.start(opts);
    let taken = 0;
    try {
      // The fixture says how much the pipe has taken every 256 MiB; wait for 1 GiB.
      await waitFor('1024 MiB of output to be read', () => cluster.logs().find((l) => l.text === 'endless: 1024 MiB taken'), 50_000);
      taken = 1024;
    } finally {
      clearInterval(sampler);
      const started = Date.now();
      await cluster.stop();
      expect(Date.now() - started).toBeLessThan(10_000); // it answers SIGTERM while it floods
    }
    const growthMb = (rssPeak - rssBefore) / 2 ** 20;
    console.log(`endless output: ${taken} MiB read, harness rss grew by ${growthMb.toFixed(0)} MB`);
    expect(growthMb).toBeLessThan(200);
    expect(cluster.logs().filter((l) => l.process === 'control-plane').length).toBeLessThanOrEqual(200);
    expect(statSync(join(opts.dataDir, 'logs', 'control-plane.log')).size).toBeLessThanOrEqual(MAX_LOG_BYTES);
    const pids = recordedPids(join(opts.dataDir, 'control-plane', 'pids'));
    expect(pids.filter(running)).toEqual([]);
  }, 90_000);

  it('a node that exits during start-up is named, with its last lines, and the others are stopped', async () => {
    const opts = options('node-crash', { nodes: 2, readyTimeoutMs: 20_000 });
    const { error, ms } = await startFailure(opts);
    expect(error.message).toMatch(/^start-up: node node-2 exited \(code 1\)/);
    expect(error.message).toContain('node-crash: no runtime found for node-2, giving up');
    expect(ms).toBeLessThan(12_000); // far from the 20 s bound
    const pids = [join(opts.dataDir, 'control-plane', 'pids'), ...['node-1', 'node-2'].map((n) => join(opts.dataDir, 'nodes', n, 'pids'))]
      .flatMap(recordedPids);
    expect(pids).toHaveLength(3);
    expect(pids.filter(running)).toEqual([]);
  }, 30_000);

  it('flood: 200 MB without a newline, then lines as fast as they come: bounded memory, lines and log file', async () => {
    const opts = options('flood');
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); }, 50);
    const cluster = await ProcessCluster.start(opts);
    try {
      await waitFor('the flood to end ("flood: done")', () => cluster.logs().find((l) => l.text === 'flood: done'), 25_000);
    } finally {
      clearInterval(sampler);
      await cluster.stop();
    }
    const growthMb = (rssPeak - rssBefore) / 2 ** 20;
    console.log(`flood: harness rss grew by ${growthMb.toFixed(0)} MB`);
    expect(growthMb).toBeLessThan(200);

    const tail = cluster.logs().filter((l) => l.process === 'control-plane');
    expect(tail.length).toBeLessThanOrEqual(200);
    const cut = '… [line cut at 4096 bytes by the harness]';
    expect(tail.every((l) => Buffer.byteLength(l.text) <= MAX_LINE_BYTES + Buffer.byteLength(cut))).toBe(true);
    expect(tail.some((l) => l.text === `${'z'.repeat(MAX_LINE_BYTES)}${cut}`)).toBe(true);

    const log = join(opts.dataDir, 'logs', 'control-plane.log');
    expect(statSync(log).size).toBeLessThanOrEqual(MAX_LOG_BYTES);
    const text = readFileSync(log, 'utf8');
    // The 200 MB line, cut: its head and the mark, once.
    expect(text).toContain(`${'x'.repeat(MAX_LINE_BYTES)}${cut}`);
    expect(text).toMatch(/output beyond \d+ bytes is dropped/);
    const dropped = Number(/(\d+) bytes of output were dropped/.exec(text)?.[1]);
    expect(dropped).toBeGreaterThan(1_000_000);
  }, 60_000);

  it('ignores SIGTERM and leaves its group: stop() takes the grace, reports it, and no process remains', async () => {
    const opts = options('ignores-sigterm');
    const cluster = await ProcessCluster.start(opts);
    const pidsFile = join(opts.dataDir, 'control-plane', 'pids');
    const pids = await waitFor('the server and both children to record their pids', () => {
      const pids = recordedPids(pidsFile);
      return pids.length === 3 ? pids : undefined;
    }, 10_000);
    expect(pids.every(running)).toBe(true);
    // The detached child leads a process group of its own: signalling the server's group does not reach it.
    expect(pids.map((pid) => readStat(pid)!.pgid).filter((pgid) => pgid === pids[0])).toHaveLength(2);

    const started = Date.now();
    await cluster.stop();
    const ms = Date.now() - started;
    expect(ms).toBeGreaterThanOrEqual(4900);
    expect(ms).toBeLessThan(10_000);
    expect(cluster.shutdownProblems).toEqual(['shutdown: control-plane ignored SIGTERM, killed after 5 s']);
    expect(pids.filter(running)).toEqual([]);
    const log = readFileSync(join(opts.dataDir, 'logs', 'control-plane.log'), 'utf8');
    expect(log).toContain('[harness] shutdown: control-plane ignored SIGTERM, killed after 5 s');
  }, 30_000);
});
