// The service proxy's listener, with real TCP: backends are small servers on
// their own 127.x addresses that answer with their name, as pods would.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceListener, type Backend } from '../../reference/src/proxy/listener.ts';
import { backendsFor, desiredListeners } from '../../reference/src/proxy/service-ports.ts';

const LISTEN_IP = '127.206.0.1';

/** A free port on an address (bind to 0, read it, let go). */
async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A backend that writes its name and the address it saw the client come from, then closes. */
async function backend(name: string, ip: string): Promise<{ backend: Backend; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.end(`${name} ${socket.remoteAddress}`));
  await new Promise<void>((r) => server.listen(0, ip, () => r()));
  return {
    backend: { ip, port: (server.address() as net.AddressInfo).port },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Connects, reads until the server closes; resolves with what it said, or rejects with the connection's error code. */
function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(new Error(err.code), { code: err.code })));
  });
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function backends(...names: string[]) {
  const list = await Promise.all(names.map((name, i) => backend(name, `127.207.0.${i + 1}`)));
  cleanups.push(() => Promise.all(list.map((b) => b.close())));
  return list;
}

function listener(port: number, options: { sourceIP?: string; retryMs?: number } = {}): ServiceListener {
  const l = new ServiceListener(LISTEN_IP, port, { name: 'test/web', ...options });
  cleanups.push(() => l.close());
  return l;
}

describe('ServiceListener', () => {
  it('sends each connection to the next backend in turn', async () => {
    const [a, b, c] = await backends('a', 'b', 'c');
    const l = listener(await freePort(LISTEN_IP));
    l.setBackends([a.backend, b.backend, c.backend]);
    await eventually(async () => (l.listening ? true : undefined));
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push((await ask(LISTEN_IP, l.port)).split(' ')[0]);
    expect(answers).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('refuses connections while it has no backend, and serves again when one comes', async () => {
    const [a] = await backends('a');
    const l = listener(await freePort(LISTEN_IP));
    l.setBackends([]);
    await expect(ask(LISTEN_IP, l.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    l.setBackends([a.backend]);
    expect(await eventually(() => ask(LISTEN_IP, l.port))).toMatch(/^a /);
    l.setBackends([]);
    await eventually(async () => (await ask(LISTEN_IP, l.port).then(() => undefined, (err) => (err.code === 'ECONNREFUSED' ? true : undefined))));
  });

  it('follows a change of backends from the next connection on', async () => {
    const [a, b] = await backends('a', 'b');
    const l = listener(await freePort(LISTEN_IP));
    l.setBackends([a.backend]);
    expect(await eventually(() => ask(LISTEN_IP, l.port))).toMatch(/^a /);
    l.setBackends([b.backend]);
    for (let i = 0; i < 3; i++) expect(await ask(LISTEN_IP, l.port)).toMatch(/^b /);
  });

  it('skips a backend that refuses, and resets the client when none answers', async () => {
    const [a] = await backends('a');
    const dead: Backend = { ip: '127.207.0.99', port: await freePort('127.207.0.99') };
    const l = listener(await freePort(LISTEN_IP));
    l.setBackends([dead, a.backend]);
    await eventually(async () => (l.listening ? true : undefined));
    for (let i = 0; i < 4; i++) expect(await ask(LISTEN_IP, l.port)).toMatch(/^a /);
    l.setBackends([dead]);
    await expect(ask(LISTEN_IP, l.port)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('connects to backends from the source address it was given (the node IP)', async () => {
    const [a] = await backends('a');
    const l = listener(await freePort(LISTEN_IP), { sourceIP: '127.208.0.1' });
    l.setBackends([a.backend]);
    expect(await eventually(() => ask(LISTEN_IP, l.port))).toBe('a 127.208.0.1');
  });

  it('shares an address between two proxies: the second takes over when the first closes', async () => {
    const [a, b] = await backends('a', 'b');
    const port = await freePort(LISTEN_IP);
    const first = listener(port, { retryMs: 100 });
    first.setBackends([a.backend]);
    await eventually(async () => (first.listening ? true : undefined));
    const second = listener(port, { retryMs: 100 });
    second.setBackends([b.backend]);
    await new Promise((r) => setTimeout(r, 250));
    expect(second.listening).toBe(false); // EADDRINUSE: the first one holds it
    expect(await ask(LISTEN_IP, port)).toMatch(/^a /);
    first.close();
    expect(await eventually(async () => ((await ask(LISTEN_IP, port)).startsWith('b ') ? 'b' : undefined), 2000)).toBe('b');
    expect(second.listening).toBe(true);
  });

  it('does not try again after close() when the bind under way fails', async () => {
    const port = await freePort(LISTEN_IP);
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, LISTEN_IP, () => r()));
    cleanups.push(() => new Promise((r) => holder.close(r)));
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const l = listener(port, { retryMs: 60_000 });
    l.setBackends([{ ip: '127.207.0.1', port: 1 }]); // the bind starts, and will meet EADDRINUSE
    l.close();
    await new Promise((r) => setTimeout(r, 50)); // the EADDRINUSE arrives meanwhile
    expect(l.listening).toBe(false);
    expect(timers()).toBe(before); // no retry timer left behind
  });

  it('copies large answers completely', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const server = net.createServer((socket) => socket.end(big));
    await new Promise<void>((r) => server.listen(0, '127.207.1.1', () => r()));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const l = listener(await freePort(LISTEN_IP));
    l.setBackends([{ ip: '127.207.1.1', port: (server.address() as net.AddressInfo).port }]);
    const text = await eventually(() => ask(LISTEN_IP, l.port));
    expect(text.length).toBe(big.length);
  });
});

describe('the proxy table', () => {
  const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec });
  const endpoints = {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'ns' },
    subsets: [
      { addresses: [{ ip: '127.1.0.2' }, { ip: '127.1.0.1' }], notReadyAddresses: [{ ip: '127.1.0.3' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'admin', port: 9000, protocol: 'TCP' }] },
      { addresses: [{ ip: '127.1.0.4' }], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
    ],
  };

  it('takes the ready addresses of the subsets with the port of that name', () => {
    expect(backendsFor(endpoints, { name: 'http' })).toEqual([
      { ip: '127.1.0.1', port: 8080 }, { ip: '127.1.0.2', port: 8080 }, { ip: '127.1.0.4', port: 8081 },
    ]);
    expect(backendsFor(endpoints, { name: 'admin' })).toEqual([{ ip: '127.1.0.1', port: 9000 }, { ip: '127.1.0.2', port: 9000 }]);
    expect(backendsFor(undefined, { name: 'http' })).toEqual([]);
  });

  it('listens on the ClusterIP of every TCP port and on the node IP for NodePorts; nothing for headless Services', () => {
    const services = [
      svc('web', { clusterIP: '127.90.0.5', type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
      svc('db', { clusterIP: 'None', ports: [{ port: 5432 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
    ];
    const specs = desiredListeners(services, (key) => (key === 'ns/web' ? endpoints : undefined), '127.50.1.1');
    expect(specs.map((s) => [s.host, s.port, s.backends.length])).toEqual([['127.90.0.5', 80, 3], ['127.50.1.1', 30080, 3]]);
  });
});
