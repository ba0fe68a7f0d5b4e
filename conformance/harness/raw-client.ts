// A small HTTPS client for raw API requests: health checks, and the checks that
// must see exact status codes, headers or streams that a typed client hides.

import https from 'node:https';
import http from 'node:http';

export interface Endpoint {
  apiUrl: string;
  token?: string;
  caPem?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
}

export interface RawRequest {
  method?: string;
  path: string;
  body?: string | Buffer | object;
  headers?: Record<string, string>;
  /** Send no Authorization header (or a wrong token). */
  token?: string | null;
  timeoutMs?: number;
}

export function rawRequest(endpoint: Endpoint, request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.path, endpoint.apiUrl);
  const token = request.token === undefined ? endpoint.token : request.token;
  const body = request.body === undefined ? undefined
    : typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body);
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  // Node sends DELETE bodies without chunked encoding: the length must be given.
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolveResponse, reject) => {
    const req = lib.request(url, { method: request.method ?? 'GET', headers, ca: endpoint.caPem, timeout: request.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${request.method ?? 'GET'} ${request.path}: no answer within ${request.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface WatchStream {
  /** Every event received so far, in order. */
  events: { type: string; object: any }[];
  /** HTTP status of the watch response. */
  status: Promise<number>;
  /** Resolves when an event matching the predicate arrives (or rejects after timeoutMs). */
  waitFor(predicate: (e: { type: string; object: any }) => boolean, timeoutMs?: number): Promise<{ type: string; object: any }>;
  /** Resolves when the server closes the stream. */
  closed: Promise<void>;
  close(): void;
}

/**
 * Calls onLine with each non-empty line of a response as it arrives: a watch
 * answers with one JSON event per line, and a chunk may end mid-line.
 */
export function onLines(res: http.IncomingMessage, onLine: (line: string) => void): void {
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onLine(line);
    }
  });
}

/** Opens a watch (`?watch=1`) and collects its newline-delimited JSON events. */
export function openWatch(endpoint: Endpoint, path: string): WatchStream {
  const url = new URL(path, endpoint.apiUrl);
  const events: { type: string; object: any }[] = [];
  const waiters: { predicate: (e: any) => boolean; resolve: (e: any) => void }[] = [];
  let resolveStatus!: (n: number) => void;
  let resolveClosed!: () => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const lib = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (endpoint.token) headers.Authorization = `Bearer ${endpoint.token}`;
  const req = lib.request(url, { headers, ca: endpoint.caPem }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    onLines(res, (line) => {
      let event: any;
      try { event = JSON.parse(line); } catch { event = { type: 'UNPARSEABLE', object: line }; }
      events.push(event);
      for (const w of [...waiters]) {
        if (w.predicate(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    });
    res.on('end', () => resolveClosed());
    res.on('close', () => resolveClosed());
  });
  req.on('error', () => {
    resolveStatus(0);
    resolveClosed();
  });
  req.end();
  return {
    events,
    status,
    closed,
    close: () => req.destroy(),
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolveEvent, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching watch event within ${timeoutMs} ms; events seen: ${JSON.stringify(events.map((e) => `${e.type} ${e.object?.metadata?.name ?? ''}`))}`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => { clearTimeout(timer); resolveEvent(e); } });
      });
    },
  };
}
