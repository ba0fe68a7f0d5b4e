// What the benchmarks share: starting a child process and waiting until it says it is ready,
// the run's temporary folder and clean-up, the reference API server, and requests to it.

import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pki } from '../../conformance/harness/pki.ts';
import { freePort } from '../../conformance/harness/ports.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts command in the repository root; resolves when its output matches `ready`, rejects if it exits first. */
export function startChild(command: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolveChild, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolveChild(child);
      if (output.length > 100_000) output = output.slice(-10_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}:\n${output.slice(-4000)}`)));
  });
}

/** The bearer token every benchmark's API server accepts. */
export const BENCH_TOKEN = 'bench-token';

/**
 * Runs a benchmark's main with a fresh temporary folder and a list for the child
 * processes it starts. However main ends, the children get SIGTERM and the folder
 * is removed; an error is printed and the exit code is 1.
 */
export function runBenchmark(folderPrefix: string, main: (dir: string, children: ChildProcess[]) => Promise<void>): void {
  const run = async () => {
    const dir = mkdtempSync(join(tmpdir(), folderPrefix));
    const children: ChildProcess[] = [];
    try {
      await main(dir, children);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  };
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** Starts the reference API server (HTTPS on loopback, data in dir/data); resolves once it serves. */
export async function startApiServer(dir: string, pki: Pki, store: string): Promise<{ child: ChildProcess; port: number; apiUrl: string }> {
  const port = await freePort();
  const apiUrl = `https://127.0.0.1:${port}`;
  const child = await startChild(['node', 'reference/launch.mjs', 'reference/src/apiserver/main.ts'], {
    KUBELAB_API_PORT: String(port), KUBELAB_API_URL: apiUrl, KUBELAB_TOKEN: BENCH_TOKEN,
    KUBELAB_TLS_CERT: pki.certFile, KUBELAB_TLS_KEY: pki.keyFile, KUBELAB_DATA_DIR: join(dir, 'data'), KUBELAB_STORE: store,
  }, /serving the Kubernetes API/);
  return { child, port, apiUrl };
}

/** Where a benchmark sends its requests: a loopback HTTPS port, the CA to trust, and a keep-alive agent. */
export interface BenchApi {
  port: number;
  ca: string;
  agent: https.Agent;
}

/** Sends one request (JSON body, if any) with the bench token; `read` turns the response into the result. */
function request<T>(api: BenchApi, method: string, path: string, body: unknown, read: (res: IncomingMessage, resolve: (result: T) => void) => void): Promise<T> {
  return new Promise((resolveRequest, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({
      host: '127.0.0.1', port: api.port, method, path, agent: api.agent, ca: api.ca,
      headers: { Authorization: `Bearer ${BENCH_TOKEN}`, Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}) },
    }, (res) => read(res, resolveRequest));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Sends a request; resolves with the status code and the body as text. */
export function send(api: BenchApi, method: string, path: string, body?: unknown): Promise<{ code: number; text: string }> {
  return request(api, method, path, body, (res, resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** Sends a request; resolves with the status code alone. The body is read and dropped, so keeping it costs the client nothing. */
export function sendForStatus(api: BenchApi, method: string, path: string, body?: unknown): Promise<number> {
  return request(api, method, path, body, (res, resolve) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode ?? 0));
  });
}

/** Runs count calls of send with `concurrency` in flight (rejects with the first error); returns the seconds taken. */
export async function inParallel(count: number, concurrency: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - started) / 1000;
}
