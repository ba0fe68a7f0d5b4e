// Starts a throwaway single-member etcd for tests.
//
// The etcd binary comes from the system (Debian/Ubuntu: apt-get install etcd-server).
// When it is missing, startEtcd says so instead of failing, and the etcd tests are
// skipped with that reason. Each etcd gets its own free ports and temp data dir;
// restart() kills it abruptly and starts it again on the same dir and ports, which
// is how the durability test simulates a crash.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningEtcd {
  /** Client URL, e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Kills etcd and removes its data dir. */
  stop(): Promise<void>;
  /** Kills etcd with SIGKILL (a crash) and starts it again on the same data dir and ports. */
  restart(): Promise<void>;
}

export type StartEtcdResult = RunningEtcd | { skipped: string };

const SKIP_REASON = 'etcd not installed (apt-get install etcd-server)';

export function etcdInstalled(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A port nobody is listening on right now: bind to port 0, read the port, close. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startEtcd(): Promise<StartEtcdResult> {
  if (!etcdInstalled()) return { skipped: SKIP_REASON };

  const dataDir = await mkdtemp(join(tmpdir(), 'kubelab-etcd-'));
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const args = [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `test=${peerUrl}`,
    '--logger', 'zap',
    '--log-level', 'error',
  ];

  let child: ChildProcess;
  let output = '';
  // If the test process exits without calling stop(), do not leave etcd behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  async function launch(): Promise<void> {
    output = '';
    // Keep ETCD_* variables from the environment out: they would override our flags.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_')));
    child = spawn('etcd', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    await waitHealthy(child, clientUrl, () => output);
  }

  await launch();

  return {
    endpoint: clientUrl,
    async stop() {
      process.removeListener('exit', killOnExit);
      child.kill('SIGTERM');
      await exited(child);
      await rm(dataDir, { recursive: true, force: true });
    },
    async restart() {
      child.kill('SIGKILL');
      await exited(child);
      await launch();
    },
  };
}

/** Polls etcd's /health until it answers healthy (10 s at most). */
async function waitHealthy(child: ChildProcess, clientUrl: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`etcd exited while starting:\n${output()}`);
    }
    try {
      const response = await fetch(`${clientUrl}/health`);
      const body = (await response.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`etcd did not become healthy within 10 s:\n${output()}`);
}
