// The live view's proxy, in the manner of `kubectl proxy`: the page asks
// 127.0.0.1 for /api/v1/pods (a list) or /api/v1/pods?watch=1 (a watch, over
// plain HTTP or a WebSocket), and the proxy asks the API server the same
// thing with the kubeconfig's credentials. The page never sees the token or the
// certificates, and needs none. Only reads that allowlist.ts permits go through.
// https://kubernetes.io/docs/tasks/extend-kubernetes/http-proxy-access-api/

import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { ClusterCredentials } from '../../conformance/harness/read-kubeconfig.ts';
import { onLines } from '../../conformance/harness/raw-client.ts';
import type { WebSocketPeer } from './websocket.ts';

/** A Kubernetes Status object, the shape of every API error. */
export function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function refuse(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(status(code, reason, message)) + '\n');
}

/** A GET of the API server with the cluster's credentials; the caller reads the response. */
function upstreamGet(credentials: ClusterCredentials, pathAndQuery: string, onResponse: (res: IncomingMessage) => void): ClientRequest {
  const url = new URL(pathAndQuery, credentials.server);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  const options = { method: 'GET', headers, ca: credentials.ca, cert: credentials.cert, key: credentials.key, rejectUnauthorized: !credentials.insecure };
  const req = (url.protocol === 'https:' ? https : http).request(url, options, onResponse);
  req.end();
  return req;
}

function pathAndQuery(path: string, query: URLSearchParams): string {
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}

/**
 * Forwards a list or an HTTP watch and streams the answer back as it comes: a
 * watch is a response that never ends, one JSON event per line, so nothing may
 * wait for the whole body.
 */
export function forwardRead(credentials: ClusterCredentials, path: string, query: URLSearchParams, res: ServerResponse): void {
  const upstream = upstreamGet(credentials, pathAndQuery(path, query), (answer) => {
    res.writeHead(answer.statusCode ?? 502, {
      'content-type': answer.headers['content-type'] ?? 'application/json',
      'cache-control': 'no-store',
    });
    res.flushHeaders();
    answer.pipe(res);
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) refuse(res, 502, 'BadGateway', `the API server at ${credentials.server} did not answer: ${err.message}`);
    else res.destroy();
  });
  // The page went away (closed the tab, stopped the watch): stop asking the API server.
  res.on('close', () => upstream.destroy());
}

/**
 * Forwards a watch whose events go to the page over a WebSocket, one event per
 * message. An error of the API server (410 Gone: that resourceVersion is too
 * old) becomes an ERROR event carrying the Status, as in a watch stream, and
 * the end of the watch closes the socket: the page then watches again.
 */
export function forwardWatch(credentials: ClusterCredentials, path: string, query: URLSearchParams, peer: WebSocketPeer): void {
  const upstream = upstreamGet(credentials, pathAndQuery(path, query), (answer) => {
    if (answer.statusCode !== 200) {
      const chunks: Buffer[] = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let object: unknown;
        try { object = JSON.parse(text); } catch { object = status(answer.statusCode ?? 502, 'BadGateway', text.slice(0, 500)); }
        peer.send(JSON.stringify({ type: 'ERROR', object }));
        peer.close(1000);
      });
      return;
    }
    onLines(answer, (line) => peer.send(line));
    answer.on('end', () => peer.close(1000));
    answer.on('error', () => peer.close(1011));
  });
  upstream.on('error', (err) => {
    peer.send(JSON.stringify({ type: 'ERROR', object: status(502, 'BadGateway', `the API server at ${credentials.server} did not answer: ${err.message}`) }));
    peer.close(1011);
  });
  peer.onClose(() => upstream.destroy());
}
