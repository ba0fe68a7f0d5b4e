// The reference API server as a process of its own, over https, with the SQLite
// store in a fresh folder: for the tests that must show the real server survives
// (fuzzing, concurrency, watch consistency). tests/support/apiserver.ts starts one
// in the test process instead, for tests of the server's logic.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { freePort } from '../../conformance/harness/ports.ts';
import { rawRequest, openWatch, type Endpoint, type RawRequest, type RawResponse, type WatchStream } from '../../conformance/harness/raw-client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PROCESS_TOKEN = 'process-test-token';

export interface ApiServerProcess {
  pid: number;
  endpoint: Endpoint;
  request(req: RawRequest): Promise<RawResponse>;
  watch(path: string): WatchStream;
  /** What the process printed last (for failure messages). */
  output(): string;
  /** The exit code or signal, once the process has exited. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

export async function startApiServerProcess(store = 'sqlite'): Promise<ApiServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-apiserver-'));
  const pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['reference/launch.mjs', 'reference/src/apiserver/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KUBELAB_API_PORT: String(port), KUBELAB_API_URL: `https://127.0.0.1:${port}`, KUBELAB_TOKEN: PROCESS_TOKEN,
      KUBELAB_TLS_CERT: pki.certFile, KUBELAB_TLS_KEY: pki.keyFile, KUBELAB_DATA_DIR: join(dir, 'data'), KUBELAB_STORE: store,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: string | undefined;
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exitedPromise = new Promise<void>((r) => child.on('exit', (code, signal) => { exit = signal ?? String(code); r(); }));

  const endpoint: Endpoint = { apiUrl: `https://127.0.0.1:${port}`, token: PROCESS_TOKEN, caPem: pki.caPem };
  const stop = async () => {
    if (exit === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exit !== undefined) throw new Error(`the API server exited (${exit}) before it was ready:\n${output}`);
    const ready = await rawRequest(endpoint, { path: '/readyz', timeoutMs: 2000 }).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the API server was not ready within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    endpoint,
    request: (req) => rawRequest(endpoint, req),
    watch: (path) => openWatch(endpoint, path),
    output: () => output,
    exited: () => exit,
    stop,
  };
}
