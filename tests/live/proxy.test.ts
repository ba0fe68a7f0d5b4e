// The live view's proxy (site/live/): it forwards only reads of the kinds the
// view shows, with the kubeconfig's credentials and CA, and streams watches as
// they come, over HTTP and over WebSockets. Everything else gets a 403 Status
// and never reaches the API server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { stringify } from 'yaml';
import { ensurePki, type Pki } from '../../conformance/harness/pki.ts';
import { writeKubeconfig } from '../../conformance/harness/kubeconfig.ts';
import { readKubeconfig } from '../../conformance/harness/read-kubeconfig.ts';
import { startLiveView, type LiveView } from '../../site/live/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubelab-live-proxy-'));
const TOKEN = 'secret-token-' + randomBytes(4).toString('hex');

/** A stand-in API server: records what it is asked, answers lists, keeps watches open until told. */
interface FakeApi {
  server: https.Server;
  url: string;
  seen: { method: string; url: string; authorization?: string; cookie?: string; clientCN?: unknown }[];
  /** Open watch responses, to write more events into. */
  watches: http.ServerResponse[];
}

async function fakeApi(pki: Pki, options: { requestCert?: boolean } = {}): Promise<FakeApi> {
  const api: FakeApi = { server: undefined as unknown as https.Server, url: '', seen: [], watches: [] };
  api.server = https.createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile), requestCert: options.requestCert, ca: pki.caPem, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
    api.seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, cookie: req.headers.cookie, clientCN: peer?.subject?.CN });
    const url = new URL(req.url!, 'https://x');
    if (url.searchParams.get('resourceVersion') === 'too-old') {
      res.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' }));
      return;
    }
    if (url.searchParams.get('watch') === '1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'first', resourceVersion: '5' } } }) + '\n');
      api.watches.push(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '4' }, items: [] }));
  });
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  api.url = `https://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  return api;
}

function request(view: LiveView, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; json?: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, view.url), { method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        let json;
        try { json = JSON.parse(body); } catch { /* not JSON */ }
        resolve({ status: res.statusCode!, body, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The client side of a WebSocket, just enough to read the server's text messages (RFC 6455). */
function openWebSocket(view: LiveView, path: string, origin: string): Promise<{ status: number; messages: string[]; closed: Promise<void>; next(): Promise<string>; socket?: import('node:net').Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, view.url), {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), Origin: origin },
    });
    req.on('response', (res) => resolve({ status: res.statusCode!, messages: [], closed: Promise.resolve(), next: () => Promise.reject(new Error('refused')) }));
    req.on('upgrade', (res, socket) => {
      const messages: string[] = [];
      const waiters: ((m: string) => void)[] = [];
      let buffer = Buffer.alloc(0);
      const closed = new Promise<void>((done) => socket.on('close', () => done()));
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 2) {
          let length = buffer[1] & 0x7f;
          let offset = 2;
          if (length === 126) { length = buffer.readUInt16BE(2); offset = 4; } else if (length === 127) { length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
          if (buffer.length < offset + length) break;
          const opcode = buffer[0] & 0x0f;
          const payload = buffer.subarray(offset, offset + length).toString('utf8');
          buffer = buffer.subarray(offset + length);
          if (opcode !== 1) continue;
          const waiter = waiters.shift();
          if (waiter) waiter(payload); else messages.push(payload);
        }
      });
      resolve({
        status: res.statusCode!, messages, closed, socket,
        next: () => messages.length ? Promise.resolve(messages.shift()!) : new Promise((r) => waiters.push(r)),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

let pki: Pki;
let api: FakeApi;
let view: LiveView;

beforeAll(async () => {
  pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  api = await fakeApi(pki);
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caPem, token: TOKEN });
  view = await startLiveView({ credentials: readKubeconfig(kubeconfig), port: 0 });
}, 60_000);

afterAll(async () => {
  await view?.close();
  for (const res of api?.watches ?? []) res.destroy();
  api?.server.closeAllConnections();
  api?.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the live view proxy', () => {
  it('serves the page and its bundled script from 127.0.0.1', async () => {
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await request(view, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="app.js">');
    const script = await request(view, 'GET', '/app.js');
    expect(script.status).toBe(200);
    expect(script.body).toContain('WebSocket');
    expect(script.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i); // nothing fetched from another host
  });

  it('refuses every write with a 403 Status, and the API server never hears of it', async () => {
    const before = api.seen.length;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const answer = await request(view, method, '/api/v1/namespaces/default/pods');
      expect(answer.status, method).toBe(403);
      expect(answer.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    }
    expect(api.seen.length).toBe(before);
  });

  it('refuses reads of what the view does not show: Secrets, single objects, logs, other query parameters, another Host', async () => {
    const before = api.seen.length;
    for (const path of ['/api/v1/secrets', '/api/v1/namespaces/default/secrets', '/api/v1/configmaps', '/api/v1/namespaces/default/pods/web',
      '/api/v1/namespaces/default/pods/web/log', '/api/v1/pods/../secrets', '/api/v1/pods?dryRun=All', '/api', '/apis/apps/v1/statefulsets']) {
      const answer = await request(view, 'GET', path);
      expect(answer.status, path).toBe(403);
      expect(answer.json?.kind, path).toBe('Status');
    }
    // A page on another site whose name points at 127.0.0.1 (DNS rebinding) sends its own Host.
    expect((await request(view, 'GET', '/api/v1/pods', { Host: 'evil.example:80' })).status).toBe(403);
    expect(api.seen.length).toBe(before);
  });

  it("forwards a list with the kubeconfig's token, trusting its CA, and none of the page's own credentials", async () => {
    const answer = await request(view, 'GET', '/api/v1/namespaces/lab/pods?labelSelector=app%3Dweb', { Authorization: 'Bearer from-the-page', Cookie: 'a=b' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ kind: 'PodList', metadata: { resourceVersion: '4' } });
    const seen = api.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'GET', url: '/api/v1/namespaces/lab/pods?labelSelector=app%3Dweb', authorization: `Bearer ${TOKEN}` });
    expect(seen.cookie).toBeUndefined();
  });

  it('streams an HTTP watch: each event arrives while the watch is still open', async () => {
    const watches = api.watches.length;
    const lines: string[] = [];
    const req = http.get(new URL('/apis/apps/v1/deployments?watch=1&resourceVersion=4', view.url));
    const firstLine = new Promise<void>((resolve) => req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        lines.push(...chunk.split('\n').filter(Boolean));
        if (lines.length) resolve();
      });
    }));
    await firstLine;
    expect(JSON.parse(lines[0])).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'first' } } });
    expect(api.watches.length).toBe(watches + 1);
    api.watches.at(-1)!.write(JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'first', resourceVersion: '6' } } }) + '\n');
    await expect.poll(() => lines.length).toBe(2);
    expect(JSON.parse(lines[1]).type).toBe('MODIFIED');
    req.destroy();
  });

  it('serves watches over a WebSocket, one event per message, and only to its own page', async () => {
    const foreign = await openWebSocket(view, '/api/v1/pods?watch=1&resourceVersion=4', 'https://evil.example');
    expect(foreign.status).toBe(403);
    const notAWatch = await openWebSocket(view, '/api/v1/pods', view.url.replace(/\/$/, ''));
    expect(notAWatch.status).toBe(403);

    const ws = await openWebSocket(view, '/api/v1/nodes?watch=1&resourceVersion=4&allowWatchBookmarks=true', view.url.replace(/\/$/, ''));
    expect(ws.status).toBe(101);
    expect(JSON.parse(await ws.next())).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'first' } } });
    expect(api.seen.at(-1)).toMatchObject({ url: '/api/v1/nodes?watch=1&resourceVersion=4&allowWatchBookmarks=true', authorization: `Bearer ${TOKEN}` });
    api.watches.at(-1)!.end(JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'first', resourceVersion: '7' } } }) + '\n');
    expect(JSON.parse(await ws.next())).toMatchObject({ type: 'DELETED' });
    await ws.closed; // the API server ended the watch: so does the socket, and the page watches again
  });

  it('turns an expired resourceVersion (410 Gone) into an ERROR event, as a watch stream carries it', async () => {
    const ws = await openWebSocket(view, '/api/v1/events?watch=1&resourceVersion=too-old', view.url.replace(/\/$/, ''));
    expect(ws.status).toBe(101);
    expect(JSON.parse(await ws.next())).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    await ws.closed;
  });

  it('authenticates with a client certificate when the kubeconfig has one instead of a token', async () => {
    const caKey = readFileSync(join(dir, 'pki', 'ca.key'), 'utf8');
    const client = await generate([{ name: 'commonName', value: 'student' }], {
      keySize: 2048, algorithm: 'sha256', ca: { cert: pki.caPem, key: caKey },
      extensions: [{ name: 'basicConstraints', cA: false }, { name: 'extKeyUsage', clientAuth: true }],
    });
    const mtlsApi = await fakeApi(pki, { requestCert: true });
    const kubeconfig = join(dir, 'kubeconfig-cert');
    writeFileSync(join(dir, 'client.key'), client.private);
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: mtlsApi.url, 'certificate-authority': 'pki/ca.crt' } }],
      users: [{ name: 'u', user: { 'client-certificate-data': Buffer.from(client.cert).toString('base64'), 'client-key': 'client.key' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }));
    const certView = await startLiveView({ credentials: readKubeconfig(kubeconfig), port: 0 });
    try {
      expect((await request(certView, 'GET', '/api/v1/nodes')).status).toBe(200);
      expect(mtlsApi.seen.at(-1)).toMatchObject({ url: '/api/v1/nodes', clientCN: 'student', authorization: undefined });
    } finally {
      await certView.close();
      mtlsApi.server.close();
    }
  }, 30_000);

  it('answers 502 with a Status when the API server is down', async () => {
    const downView = await startLiveView({ credentials: { server: 'https://127.0.0.1:1', token: 't' }, port: 0 });
    try {
      const answer = await request(downView, 'GET', '/api/v1/pods');
      expect(answer.status).toBe(502);
      expect(answer.json).toMatchObject({ kind: 'Status', code: 502 });
    } finally {
      await downView.close();
    }
  });
});
