// The client every component uses to talk to the API server.
//
// The scheduler, the controllers and the node agents never touch the store: like
// Kubernetes' components they are HTTPS clients of the API server, with the
// same bearer token kubectl uses (DESIGN principle 2). This is a small version
// of client-go's REST client: requests, Status errors, and watch streams.

import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { KubeObject, Status } from '../api/types.ts';

export interface ClientConfig {
  apiUrl: string;
  token: string;
  /** PEM of the CA that signed the API server's certificate. */
  ca?: string;
  /** Names the component in the API server's logs. */
  userAgent?: string;
}

/** The cluster contract gives every process KUBELAB_API_URL, KUBELAB_TOKEN and KUBELAB_CA_FILE. */
export function configFromEnv(userAgent: string): ClientConfig {
  const apiUrl = process.env.KUBELAB_API_URL;
  const token = process.env.KUBELAB_TOKEN;
  if (!apiUrl || !token) throw new Error(`${userAgent}: KUBELAB_API_URL and KUBELAB_TOKEN must be set (the harness sets them)`);
  const caFile = process.env.KUBELAB_CA_FILE;
  return { apiUrl, token, ca: caFile ? readFileSync(caFile, 'utf8') : undefined, userAgent };
}

/** An error answer from the API server, carrying its Status. */
export class ApiStatusError extends Error {
  constructor(readonly code: number, readonly status: Partial<Status>) {
    super(status.message ?? `HTTP ${code}`);
    this.name = 'ApiStatusError';
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiStatusError && err.code === 404;
}

/** Whether an API error carries a cause with this reason (apierrors.HasStatusCause), e.g. NamespaceTerminating. */
export function hasStatusCause(err: unknown, reason: string): boolean {
  return err instanceof ApiStatusError && (err.status.details?.causes ?? []).some((c) => c.reason === reason);
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiStatusError && err.code === 409;
}

export type PatchType = 'merge' | 'strategic' | 'json';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  stop(): void;
}

export class ApiClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(readonly config: ClientConfig) {
    this.base = new URL(config.apiUrl);
    const options = { keepAlive: true, maxSockets: 32, ca: config.ca };
    this.agent = this.base.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  private send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ code: number; text: string }> {
    const url = new URL(path, this.base);
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.config.token}`,
      Accept: 'application/json',
      'User-Agent': this.config.userAgent ?? 'kubelab',
    };
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      // Node sends DELETE bodies without chunked encoding: the length must be given.
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Sends a request and returns the decoded JSON answer; an error status throws ApiStatusError. */
  async request<T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const { code, text } = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { message: text };
    }
    if (code >= 400) throw new ApiStatusError(code, parsed ?? {});
    return parsed as T;
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  create<T = KubeObject>(collectionPath: string, obj: unknown): Promise<T> {
    return this.request<T>('POST', collectionPath, obj);
  }

  update<T = KubeObject>(path: string, obj: unknown): Promise<T> {
    return this.request<T>('PUT', path, obj);
  }

  patch<T = KubeObject>(path: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, patch, PATCH_CONTENT_TYPES[type]);
  }

  delete<T = unknown>(path: string, options: Record<string, unknown> = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /**
   * Opens a watch and calls onEvent for each event. onEnd is called once when the
   * stream ends: with no error when the server closed it normally, or with the error.
   */
  watch(path: string, onEvent: (type: WatchEventType, object: any) => void, onEnd: (error?: Error) => void): WatchHandle {
    const url = new URL(path, this.base);
    const lib = url.protocol === 'https:' ? https : http;
    let ended = false;
    const finish = (error?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    const req = lib.request(url, {
      headers: { Authorization: `Bearer ${this.config.token}`, Accept: 'application/json', 'User-Agent': this.config.userAgent ?? 'kubelab' },
      agent: false, ca: this.config.ca,
    }, (res) => {
      if ((res.statusCode ?? 0) >= 400) {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let status: Partial<Status> = {};
          try { status = JSON.parse(text); } catch { /* not JSON */ }
          finish(new ApiStatusError(res.statusCode ?? 0, status));
        });
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          if (event.type === 'ERROR') {
            finish(new ApiStatusError(event.object?.code ?? 500, event.object ?? {}));
            req.destroy();
            return;
          }
          onEvent(event.type, event.object);
        }
      });
      res.on('end', () => finish());
      res.on('error', (err) => finish(err));
    });
    req.on('error', (err) => finish(err));
    req.end();
    return {
      stop: () => {
        ended = true;
        req.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
