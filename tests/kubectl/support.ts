// What the tests with the real kubectl share: finding kubectl, a cluster started
// as the graders start it (conformance/harness/process-driver.ts), and running
// kubectl against it.
//
// kubectl keeps a discovery cache in $HOME/.kube/cache; each session gets its own
// HOME (and no other kubeconfig) so that kubectl discovers its server from
// scratch. On a machine without kubectl the suites are skipped, and their
// titles say why.

import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { DATA_DIR_ENV, serveControl, type ServedControl } from '../../cli/control-file.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where kubectl is, or undefined when it is not on PATH. */
function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export const KUBECTL = findOnPath('kubectl');
const SKIP_REASON = 'skipped: kubectl is not on PATH';
if (!KUBECTL) console.warn(`tests/kubectl: ${SKIP_REASON}`);

/** A describe title that says why the suite is skipped when kubectl is missing. */
export function kubectlTitle(title: string): string {
  return KUBECTL ? title : `${title} (${SKIP_REASON})`;
}

/** Every request kubectl makes gives up after this. */
const REQUEST_TIMEOUT = '--request-timeout=10s';

export interface KubectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How long kubectl ran. */
  ms: number;
}

export interface KubectlSessionOptions {
  /** Names the session's temporary folder. */
  name: string;
  nodes: number;
  /** As for ProcessCluster: fast (the default), real, or a profile file. */
  profile?: string;
  /** As for ProcessCluster: the implementation's choice when not given. */
  store?: string;
  /** Every kubectl process is killed after this, unless a run says otherwise. */
  timeoutMs: number;
}

export interface KubectlSession {
  /** Makes the work folder and HOME, and starts the cluster. */
  start(): Promise<void>;
  /** Stops the cluster and removes the work folder. */
  stop(): Promise<void>;
  readonly cluster: ProcessCluster;
  readonly workDir: string;
  /**
   * The cluster's data folder. Like `kubelab up`, the session serves the control
   * endpoint and writes its control.json there, so `kubelab disrupt` reaches this cluster.
   */
  readonly dataDir: string;
  /** The environment kubectl runs with: PATH, the fresh HOME, KUBECONFIG, LANG, and KUBELAB_DIR (the data folder, for `kubelab disrupt`). */
  readonly env: NodeJS.ProcessEnv;
  /** Runs kubectl; resolves when it exits (or is killed at the timeout). */
  run(args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<KubectlRun>;
  /** Runs kubectl and expects exit code 0; returns stdout. */
  ok(...args: string[]): Promise<string>;
  /** Runs kubectl and expects it to fail; returns stderr. */
  fails(...args: string[]): Promise<string>;
  /** `kubectl get … -o json`, parsed. */
  getJson(...args: string[]): Promise<any>;
  /** Writes a file into the work folder; returns its path. */
  writeManifest(name: string, text: string): string;
}

/**
 * A kubectl session for one test file, to start in its beforeAll and stop in its
 * afterAll. Its functions can be taken apart (`const { ok } = session`) before it starts.
 */
export function kubectlSession(options: KubectlSessionOptions): KubectlSession {
  let cluster: ProcessCluster | undefined;
  let workDir: string | undefined;
  let env: NodeJS.ProcessEnv | undefined;
  let control: ServedControl | undefined;

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the kubectl session has not been started');
    return value;
  };

  const run: KubectlSession['run'] = (args, { timeoutMs = options.timeoutMs, env: extraEnv = {} } = {}) => {
    const startedAt = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(KUBECTL!, [...args, REQUEST_TIMEOUT], { env: { ...started(env), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, ms: Date.now() - startedAt });
      });
    });
  };

  const ok = async (...args: string[]): Promise<string> => {
    const result = await run(args);
    expect(result.code, `kubectl ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
    return result.stdout;
  };

  const fails = async (...args: string[]): Promise<string> => {
    const result = await run(args);
    expect(result.code, `kubectl ${args.join(' ')} should have failed:\n${result.stdout}`).not.toBe(0);
    return result.stderr;
  };

  return {
    async start() {
      workDir = mkdtempSync(join(tmpdir(), `kubelab-${options.name}-`));
      const home = join(workDir, 'home');
      mkdirSync(home);
      const { nodes, profile, store } = options;
      const dataDir = join(workDir, 'cluster');
      cluster = await ProcessCluster.start({ implDir: REPO_ROOT, dataDir, nodes, profile, store });
      control = await serveControl(cluster, dataDir);
      env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: cluster.kubeconfig, LANG: 'C', [DATA_DIR_ENV]: dataDir };
    },
    async stop() {
      await control?.close();
      await cluster?.stop();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    },
    get cluster() {
      return started(cluster);
    },
    get workDir() {
      return started(workDir);
    },
    get dataDir() {
      return join(started(workDir), 'cluster');
    },
    get env() {
      return started(env);
    },
    run,
    ok,
    fails,
    getJson: async (...args) => JSON.parse(await ok('get', ...args, '-o', 'json')),
    writeManifest(name, text) {
      const file = join(started(workDir), name);
      writeFileSync(file, text);
      return file;
    },
  };
}
