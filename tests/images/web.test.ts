// kubelab/web: every route and switch of conformance/images/web/README.md,
// with the program started as a node agent starts it. The tests run
// concurrently (each container has an address of its own), so the timed
// switches cost about two seconds in all.

import { afterAll, describe, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, podAddress, sleep, startContainer, type Container, type Running } from './run-image.ts';

const scratch = mkdtempSync(join(tmpdir(), 'kubelab-web-'));
afterAll(() => {
  killAll();
  rmSync(scratch, { recursive: true, force: true });
});

let folders = 0;
function folder(): string {
  const dir = join(scratch, `volume-${++folders}`);
  mkdirSync(dir);
  return dir;
}

interface Web {
  run: Running;
  url: string;
  ip: string;
  port: number;
}

/** Starts kubelab/web on a pod address of its own; waits for its startup line unless told not to. */
async function startWeb(container: Partial<Container> = {}, waitForListening = true): Promise<Web> {
  const { ip, port } = await podAddress();
  const run = startContainer({
    image: 'kubelab/web:1',
    podIP: ip,
    ...container,
    env: { PORT: String(port), ...container.env },
  });
  if (waitForListening) await run.waitForLine(/ listening on /);
  return { run, url: `http://${ip}:${port}`, ip, port };
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return res.status;
}

/** A GET whose path is sent exactly as written (fetch would resolve "..", and encoded slashes stay encoded either way). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request(`${url}${path}`, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls until check() is true; returns the milliseconds it took from the container's start. */
async function eventually(run: Running, check: () => Promise<boolean>, timeoutMs = 4000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms; stdout:\n${run.stdout}`);
    await sleep(50);
  }
  return Date.now() - run.started;
}

describe.concurrent('kubelab/web', () => {
  it('GET / says which pod, namespace, node, image and version answered, as JSON or as a line of text', async ({ expect }) => {
    const web = await startWeb({
      image: 'kubelab/web:2',
      env: { POD_NAME: 'web-abc', POD_NAMESPACE: 'shop', NODE_NAME: 'node-2' },
    });
    const res = await fetch(`${web.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(body).toEqual({
      pod: 'web-abc', namespace: 'shop', node: 'node-2', image: 'kubelab/web:2', version: '2', ip: web.ip, startedAt: expect.any(String),
    });
    const startedAt = Date.parse(body.startedAt);
    expect(Math.abs(startedAt - web.run.started)).toBeLessThan(2000);

    const text = await (await fetch(`${web.url}/`, { headers: { accept: 'text/plain' } })).text();
    expect(text).toBe(`pod=web-abc namespace=shop node=node-2 image=kubelab/web:2 version=2 ip=${web.ip} startedAt=${body.startedAt}\n`);
  });

  it('without POD_NAME the pod is HOSTNAME, which the node agent sets to the pod name; tag 1 reports version 1', async ({ expect }) => {
    const web = await startWeb({ image: 'kubelab/web:1', podName: 'web-from-hostname' });
    const body = await (await fetch(`${web.url}/`)).json();
    expect(body).toMatchObject({ pod: 'web-from-hostname', namespace: null, node: null, image: 'kubelab/web:1', version: '1' });
  });

  it('prints its startup line, then one line per request', async ({ expect }) => {
    const web = await startWeb({ image: 'kubelab/web:2', podName: 'web-logs' });
    expect(web.run.lines()[0]).toBe(`kubelab/web:2 listening on ${web.ip}:${web.port} as pod web-logs`);
    expect(await status(`${web.url}/healthz`)).toBe(200);
    expect(await status(`${web.url}/nowhere`)).toBe(404);
    await web.run.waitForLine(/^GET \/nowhere 404 from 127\./);
    expect(web.run.lines()).toContainEqual(expect.stringMatching(/^GET \/healthz 200 from 127\.\d+\.\d+\.\d+$/));
  });

  it('GET /env answers the whole environment; GET /env/NAME one variable, 404 when unset', async ({ expect }) => {
    const web = await startWeb({ env: { GREETING: 'hello world' } });
    const all = await (await fetch(`${web.url}/env`)).json();
    expect(all).toMatchObject({ GREETING: 'hello world', KUBELAB_IMAGE_TAG: '1', KUBELAB_POD_IP: web.ip, KUBELAB_MOUNTS: '{}', HOSTNAME: 'test-pod' });
    const one = await fetch(`${web.url}/env/GREETING`);
    expect([one.status, await one.text()]).toEqual([200, 'hello world']);
    expect(await status(`${web.url}/env/NOT_SET`)).toBe(404);
  });

  it('/healthz and /ready fail and recover on request, each on its own', async ({ expect }) => {
    const web = await startWeb();
    const probes = async () => [await status(`${web.url}/healthz`), await status(`${web.url}/ready`)];
    expect(await probes()).toEqual([200, 200]);
    expect(await (await fetch(`${web.url}/healthz`)).text()).toBe('ok\n');

    expect(await status(`${web.url}/fail/healthz`, { method: 'POST' })).toBe(200);
    expect(await probes()).toEqual([503, 200]);
    expect(await status(`${web.url}/fail/ready`, { method: 'POST' })).toBe(200);
    expect(await probes()).toEqual([503, 503]);
    expect(await status(`${web.url}/recover/healthz`, { method: 'POST' })).toBe(200);
    expect(await probes()).toEqual([200, 503]);
    expect(await status(`${web.url}/recover/ready`, { method: 'POST' })).toBe(200);
    expect(await probes()).toEqual([200, 200]);
    expect(await status(`${web.url}/healthz`, { method: 'POST' })).toBe(404);
  });

  it.for<[string, Partial<Container>]>([
    ['READY_AFTER_SECONDS=1', { env: { READY_AFTER_SECONDS: '1' } }],
    ['--ready-after=1', { args: ['--ready-after=1'] }],
  ])('%s: /ready answers 503 until 1 s after start, while /healthz is fine', async ([, container], { expect }) => {
    const web = await startWeb(container);
    expect(await status(`${web.url}/ready`)).toBe(503);
    expect(await status(`${web.url}/healthz`)).toBe(200);
    // Recovering does not make it ready early.
    await fetch(`${web.url}/recover/ready`, { method: 'POST' });
    expect(await status(`${web.url}/ready`)).toBe(503);
    const readyAt = await eventually(web.run, async () => (await status(`${web.url}/ready`)) === 200);
    expect(readyAt).toBeGreaterThanOrEqual(1000);
    expect(readyAt).toBeLessThan(2500);
  });

  it('CRASH_AFTER_SECONDS=1 with CRASH_EXIT_CODE=3 serves, then says so and exits with code 3', async ({ expect }) => {
    const web = await startWeb({ env: { CRASH_AFTER_SECONDS: '1', CRASH_EXIT_CODE: '3' } });
    expect(await status(`${web.url}/`)).toBe(200);
    expect(await web.run.exited).toEqual({ code: 3, signal: null });
    expect(Date.now() - web.run.started).toBeGreaterThanOrEqual(1000);
    expect(web.run.lines().at(-1)).toBe('crashing: CRASH_AFTER_SECONDS=1 reached, exiting with code 3');
  });

  it('--crash-after=0.5 exits with code 1 by default', async ({ expect }) => {
    const web = await startWeb({ args: ['--crash-after=0.5'] });
    expect((await web.run.exited).code).toBe(1);
    expect(web.run.stdout).toContain('crashing: CRASH_AFTER_SECONDS=0.5 reached, exiting with code 1');
  });

  it('EXIT_AFTER_SECONDS=1 finishes like a job: exit code 0 after 1 s', async ({ expect }) => {
    const web = await startWeb({ env: { EXIT_AFTER_SECONDS: '1' } });
    expect(await web.run.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - web.run.started).toBeGreaterThanOrEqual(1000);
    expect(web.run.stdout).toContain('finished: EXIT_AFTER_SECONDS=1 reached, exiting with code 0');
  });

  it('FAIL_HEALTHZ_AFTER_SECONDS=1: /healthz turns 503 after 1 s, until POST /recover/healthz', async ({ expect }) => {
    const web = await startWeb({ env: { FAIL_HEALTHZ_AFTER_SECONDS: '1' } });
    expect(await status(`${web.url}/healthz`)).toBe(200);
    const failedAt = await eventually(web.run, async () => (await status(`${web.url}/healthz`)) === 503);
    expect(failedAt).toBeGreaterThanOrEqual(1000);
    expect(await status(`${web.url}/ready`)).toBe(200);
    await fetch(`${web.url}/recover/healthz`, { method: 'POST' });
    expect(await status(`${web.url}/healthz`)).toBe(200);
  });

  it('START_DELAY_SECONDS=1: connections are refused for 1 s, then it serves', async ({ expect }) => {
    const web = await startWeb({ env: { START_DELAY_SECONDS: '1' } }, false);
    await web.run.waitForLine(/^waiting 1s before listening \(START_DELAY_SECONDS\)$/);
    await expect(fetch(`${web.url}/healthz`)).rejects.toThrow();
    await web.run.waitForLine(/ listening on /);
    expect(Date.now() - web.run.started).toBeGreaterThanOrEqual(1000);
    expect(await status(`${web.url}/healthz`)).toBe(200);
  });

  it('LOG_EVERY_SECONDS=0.2 prints numbered log lines', async ({ expect }) => {
    const web = await startWeb({ podName: 'chatty', env: { LOG_EVERY_SECONDS: '0.2' } });
    await web.run.waitForLine(/^log line 3 from pod chatty$/);
    const logLines = web.run.lines().filter((l) => l.startsWith('log line'));
    expect(logLines.slice(0, 3)).toEqual(['log line 1 from pod chatty', 'log line 2 from pod chatty', 'log line 3 from pod chatty']);
  });

  it('GET and PUT /files/PATH go through KUBELAB_MOUNTS; the longest mountPath wins', async ({ expect }) => {
    const data = folder();
    const cache = folder();
    const web = await startWeb({ mounts: { '/data': data, '/data/cache/': cache } });

    const put = await fetch(`${web.url}/files/data/notes/a.txt`, { method: 'PUT', body: 'first' });
    expect([put.status, await put.text()]).toEqual([201, 'wrote 5 bytes to /data/notes/a.txt\n']);
    expect(readFileSync(join(data, 'notes/a.txt'), 'utf8')).toBe('first');
    expect(await status(`${web.url}/files/data/notes/a.txt`, { method: 'PUT', body: 'second' })).toBe(200);
    const got = await fetch(`${web.url}/files/data/notes/a.txt`);
    expect([got.status, await got.text()]).toEqual([200, 'second']);

    expect(await status(`${web.url}/files/data/cache/b.txt`, { method: 'PUT', body: 'cached' })).toBe(201);
    expect(readFileSync(join(cache, 'b.txt'), 'utf8')).toBe('cached');
    writeFileSync(join(cache, 'c.txt'), 'from the machine');
    expect(await (await fetch(`${web.url}/files/data/cache/c.txt`)).text()).toBe('from the machine');

    expect(await (await fetch(`${web.url}/files/data`)).json()).toEqual(['notes']);
    expect(await (await fetch(`${web.url}/files/data/cache/`)).json()).toEqual(['b.txt', 'c.txt']);
  });

  it('/files answers 404 for a missing file and 400 for a path under no mount, a climb out of one, or a PUT onto a folder', async ({ expect }) => {
    const data = folder();
    const web = await startWeb({ mounts: { '/data': data } });
    const missing = await fetch(`${web.url}/files/data/missing.txt`);
    expect([missing.status, await missing.text()]).toEqual([404, 'no such file: /data/missing.txt\n']);

    const outside = await fetch(`${web.url}/files/etc/passwd`);
    expect([outside.status, await outside.text()]).toEqual([400, '/etc/passwd is under no volume mount of this container (its mounts are /data)\n']);
    expect(await rawGet(web.url, '/files/database/x')).toMatchObject({ status: 400 });
    const climb = await rawGet(web.url, '/files/data/..%2F..%2Fetc%2Fpasswd');
    expect(climb).toEqual({ status: 400, body: '/etc/passwd is under no volume mount of this container (its mounts are /data)\n' });

    mkdirSync(join(data, 'sub'));
    const ontoFolder = await fetch(`${web.url}/files/data/sub`, { method: 'PUT', body: 'x' });
    expect([ontoFolder.status, await ontoFolder.text()]).toEqual([400, '/data/sub is a directory\n']);

    const noMounts = await startWeb({ mounts: {} });
    const res = await fetch(`${noMounts.url}/files/data/a.txt`, { method: 'PUT', body: 'x' });
    expect([res.status, await res.text()]).toEqual([400, '/data/a.txt is under no volume mount of this container (it has no volume mounts)\n']);
  });

  it('WRITE_FILE writes WRITE_CONTENT at start, through the mounts; the default content names the pod', async ({ expect }) => {
    const volume = folder();
    const web = await startWeb({ mounts: { '/out': volume }, env: { WRITE_FILE: '/out/deep/hello.txt', WRITE_CONTENT: 'hi from a pod' } });
    expect(readFileSync(join(volume, 'deep/hello.txt'), 'utf8')).toBe('hi from a pod');
    expect(web.run.lines()).toContain('wrote 13 bytes to /out/deep/hello.txt');

    await startWeb({ podName: 'writer', mounts: { '/out': volume }, args: ['--write-file=/out/default.txt'] });
    expect(readFileSync(join(volume, 'default.txt'), 'utf8')).toBe('written by pod writer\n');
  });

  it('WRITE_FILE under no mount stops the program with exit code 1 and says why', async ({ expect }) => {
    const web = await startWeb({ mounts: { '/out': folder() }, env: { WRITE_FILE: '/etc/hello.txt' } }, false);
    expect((await web.run.exited).code).toBe(1);
    expect(web.run.stdout).toContain('cannot write WRITE_FILE=/etc/hello.txt: /etc/hello.txt is under no volume mount of this container (its mounts are /out)');
  });

  it('in a real container (no KUBELAB_POD_IP, no KUBELAB_MOUNTS) it listens on LISTEN_ADDRESS and uses paths as they are', async ({ expect }) => {
    const { ip, port } = await podAddress();
    const run = startContainer({ image: 'kubelab/web:1', mounts: null, env: { PORT: String(port), LISTEN_ADDRESS: ip } });
    await run.waitForLine(new RegExp(`listening on ${ip.replaceAll('.', '\\.')}:${port} `));
    const url = `http://${ip}:${port}`;
    expect((await (await fetch(`${url}/`)).json()).ip).toBeNull();

    const dir = folder();
    expect(await status(`${url}/files${dir}/plain.txt`, { method: 'PUT', body: 'as it is' })).toBe(201);
    expect(readFileSync(join(dir, 'plain.txt'), 'utf8')).toBe('as it is');
  });

  it('on SIGTERM it says so and exits with code 0', async ({ expect }) => {
    const web = await startWeb();
    web.run.kill('SIGTERM');
    expect(await web.run.exited).toEqual({ code: 0, signal: null });
    expect(web.run.lines().at(-1)).toBe('received SIGTERM, shutting down');
  });

  it('IGNORE_SIGTERM=1 keeps serving after SIGTERM; only SIGKILL stops it (exit code 137)', async ({ expect }) => {
    const web = await startWeb({ env: { IGNORE_SIGTERM: '1' } });
    web.run.kill('SIGTERM');
    await web.run.waitForLine(/^received SIGTERM, ignoring it \(IGNORE_SIGTERM=1\)$/);
    await sleep(200);
    expect(await status(`${web.url}/healthz`)).toBe(200);
    web.run.kill('SIGKILL');
    expect(await web.run.exited).toEqual({ code: 137, signal: 'SIGKILL' });
  });

  it('POST /memory?mb=N holds N MiB more in resident memory, GET /memory reports it, DELETE /memory lets go', async ({ expect }) => {
    const web = await startWeb();
    const before = await (await fetch(`${web.url}/memory`)).json();
    expect(before.heldMiB).toBe(0);
    const after = await (await fetch(`${web.url}/memory?mb=64`, { method: 'POST' })).json();
    expect(after.heldMiB).toBe(64);
    // The pages are touched: resident memory grew by about the 64 MiB.
    expect(after.rssBytes - before.rssBytes).toBeGreaterThan(60 * 1024 * 1024);
    expect((await (await fetch(`${web.url}/memory?mb=16`, { method: 'POST' })).json()).heldMiB).toBe(80);
    expect(await status(`${web.url}/memory?mb=lots`, { method: 'POST' })).toBe(400);
    expect((await (await fetch(`${web.url}/memory`, { method: 'DELETE' })).json()).heldMiB).toBe(0);
    expect(web.run.stdout).toContain('allocated 64 MiB: holding 64 MiB');
  });

  it('ALLOCATE_MB=N with ALLOCATE_AFTER_SECONDS holds N MiB from that time on', async ({ expect }) => {
    const web = await startWeb({ env: { ALLOCATE_MB: '32', ALLOCATE_AFTER_SECONDS: '0.3' } });
    await web.run.waitForLine(/^allocated 32 MiB \(ALLOCATE_MB\): holding 32 MiB$/);
    const held = await (await fetch(`${web.url}/memory`)).json();
    expect(held.heldMiB).toBe(32);
    expect(held.rssBytes).toBeGreaterThan(32 * 1024 * 1024);
  });

  it('an unknown arg or a switch that is not a number stops it with exit code 2 and a reason', async ({ expect }) => {
    const typo = await startWeb({ args: ['--redy-after=5'] }, false);
    expect((await typo.run.exited).code).toBe(2);
    expect(typo.run.stdout).toContain('unknown argument --redy-after=5; known: --port --ready-after');

    const word = await startWeb({ env: { READY_AFTER_SECONDS: 'soon' } }, false);
    expect((await word.run.exited).code).toBe(2);
    expect(word.run.stdout).toContain('READY_AFTER_SECONDS must be a number ≥ 0, got "soon"');
  });

  it('--port=N wins over PORT, and a container command replaces the entrypoint', async ({ expect }) => {
    const { ip, port } = await podAddress();
    // The working directory is the image folder, so "./web.mjs" is the image's program.
    const run = startContainer({ image: 'kubelab/web:2', podIP: ip, command: ['node', './web.mjs'], args: [`--port=${port}`], env: { PORT: '1' } });
    await run.waitForLine(/ listening on /);
    expect((await (await fetch(`http://${ip}:${port}/`)).json()).version).toBe('2');
  });
});
