// Probes: single runs (httpGet, tcpSocket, exec), thresholds, and the workers'
// order (startup first, then liveness and readiness).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe, type ProbeTarget } from '../../reference/src/kubelet/probes/prober.ts';
import { applyProbeResult, ProbeManager, type ProbeVerdict } from '../../reference/src/kubelet/probes/probe-manager.ts';

let server: http.Server;
let port = 0;
let healthy = true;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const ok = req.url === '/ok' || (req.url === '/healthz' && healthy);
    res.writeHead(req.url === '/redirect' ? 302 : ok ? 200 : 503, req.url === '/redirect' ? { Location: '/ok' } : {});
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const target = (exitCode = 0): ProbeTarget => ({
  podIP: '127.0.0.1',
  container: { name: 'web', ports: [{ name: 'http', containerPort: port }] },
  exec: async () => ({ exitCode, output: exitCode ? 'not healthy\n' : '', timedOut: false }),
});

describe('runProbe', () => {
  it('httpGet: 200–399 succeeds, other codes fail with the status; named ports resolve', async () => {
    expect(await runProbe({ httpGet: { path: '/ok', port } }, target())).toEqual({ ok: true, message: '' });
    expect(await runProbe({ httpGet: { path: '/redirect', port: 'http' } }, target())).toMatchObject({ ok: true });
    expect(await runProbe({ httpGet: { path: '/nope', port } }, target())).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
  });

  it('httpGet and tcpSocket fail when nothing listens; exec by exit code', async () => {
    const closed = { podIP: '127.0.0.1', container: { name: 'web' }, exec: target().exec };
    expect((await runProbe({ httpGet: { path: '/', port: 1 } }, closed)).message).toBe('Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused');
    expect(await runProbe({ tcpSocket: { port } }, target())).toEqual({ ok: true, message: '' });
    expect((await runProbe({ tcpSocket: { port: 1 } }, closed)).ok).toBe(false);
    expect(await runProbe({ exec: { command: ['true'] } }, target(0))).toEqual({ ok: true, message: '' });
    expect(await runProbe({ exec: { command: ['check'] } }, target(1))).toEqual({ ok: false, message: 'not healthy' });
    expect((await runProbe({ grpc: { port } }, target())).ok).toBe(false);
  });
});

describe('applyProbeResult', () => {
  it('needs failureThreshold failures in a row to fail, successThreshold successes to succeed', () => {
    const v: ProbeVerdict = { run: 0 };
    const probe = { failureThreshold: 3, successThreshold: 2 };
    expect([true, true].map((ok) => applyProbeResult(v, ok, probe))).toEqual([undefined, true]);
    expect([false, false, true, false, false, false].map((ok) => applyProbeResult(v, ok, probe))).toEqual([true, true, true, true, true, false]);
  });
});

describe('ProbeManager', () => {
  const until = async (what: string, probe: () => boolean) => {
    for (let i = 0; i < 200; i++) {
      if (probe()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const listener = () => {
    const seen: string[] = [];
    return {
      seen,
      started: (id: string) => seen.push(`started ${id}`),
      readiness: (id: string, ready: boolean) => seen.push(`ready ${id} ${ready}`),
      failed: () => {},
      kill: (id: string, kind: string) => seen.push(`kill ${id} ${kind}`),
    };
  };

  it('starts a container without probes started and ready at once', () => {
    const l = listener();
    new ProbeManager(l).addContainer('a', { name: 'web' }, target());
    expect(l.seen).toEqual(['started a', 'ready a true']);
  });

  it('runs readiness only after the startup probe succeeded', async () => {
    const l = listener();
    const manager = new ProbeManager(l);
    manager.addContainer('a', {
      name: 'web',
      startupProbe: { httpGet: { path: '/ok', port }, periodSeconds: 0.02, failureThreshold: 3, successThreshold: 1 },
      readinessProbe: { httpGet: { path: '/ok', port }, periodSeconds: 0.02, failureThreshold: 3, successThreshold: 1 },
    }, target());
    expect(l.seen).toEqual([]);
    await until('ready', () => l.seen.includes('ready a true'));
    expect(l.seen).toEqual(['started a', 'ready a true']);
    manager.stopAll();
  });

  it('asks to kill a container whose liveness probe fails failureThreshold times', async () => {
    const l = listener();
    const manager = new ProbeManager(l);
    healthy = false;
    manager.addContainer('b', { name: 'web', livenessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 0.02, failureThreshold: 3 } }, target());
    await until('the kill', () => l.seen.some((s) => s.startsWith('kill')));
    healthy = true;
    expect(l.seen).toEqual(['started b', 'ready b true', 'kill b liveness']);
    manager.stopAll();
  });

  it('waits initialDelaySeconds before the first probe', async () => {
    const l = listener();
    const manager = new ProbeManager(l);
    const started = Date.now();
    manager.addContainer('c', { name: 'web', readinessProbe: { httpGet: { path: '/ok', port }, initialDelaySeconds: 0.2, periodSeconds: 1 } }, target());
    await until('ready', () => l.seen.includes('ready c true'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    manager.stopAll();
  });
});
