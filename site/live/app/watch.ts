// List, then watch, the way every Kubernetes client follows a kind of object
// (client-go's reflector):
//
//   1. LIST the collection; remember the list's resourceVersion;
//   2. WATCH from that resourceVersion (over a WebSocket: server.ts says why);
//      every event moves the remembered resourceVersion on, bookmarks too;
//   3. when the watch ends, watch again from the last resourceVersion seen;
//      when the API says 410 Gone (that history was compacted away), go back to 1;
//      when the connection fails, wait a little longer each time and list again.
//
// https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes

import type { WatchEventType } from './store.ts';
import type { KubeObject } from './types.ts';

export type WatchState = 'listing' | 'watching' | 'retrying';

export interface WatchHandlers {
  /** A fresh list: the whole collection. */
  onList(items: KubeObject[]): void;
  onEvent(type: WatchEventType, obj: KubeObject): void;
  onState?(state: WatchState, detail?: string): void;
}

/** What the client needs of the browser; tests pass fakes. */
export interface WatchEnvironment {
  fetch: (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<any> }>;
  openSocket: (url: string) => SocketLike;
  setTimeout: (fn: () => void, ms: number) => unknown;
}

export interface SocketLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  close(): void;
}

const MAX_BACKOFF_MS = 5000;

export function browserEnvironment(): WatchEnvironment {
  const wsBase = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  return {
    fetch: (url) => fetch(url, { headers: { accept: 'application/json' } }),
    openSocket: (url) => {
      const ws = new WebSocket(wsBase + url);
      const socket: SocketLike = { onmessage: null, onclose: null, close: () => ws.close() };
      ws.onmessage = (event) => socket.onmessage?.(event);
      ws.onclose = (event) => socket.onclose?.(event);
      return socket;
    },
    setTimeout: (fn, ms) => setTimeout(fn, ms),
  };
}

export function watchCollection(path: string, handlers: WatchHandlers, env: WatchEnvironment = browserEnvironment()): { stop(): void } {
  let resourceVersion = '';
  let stopped = false;
  let failures = 0;
  let socket: SocketLike | undefined;

  const retry = (detail: string) => {
    failures++;
    handlers.onState?.('retrying', detail);
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (failures - 1));
    env.setTimeout(list, delay);
  };

  async function list(): Promise<void> {
    if (stopped) return;
    handlers.onState?.('listing');
    try {
      const response = await env.fetch(path);
      const body = await response.json();
      if (!response.ok) return retry(`${path}: ${response.status} ${body?.message ?? ''}`);
      resourceVersion = body.metadata?.resourceVersion ?? '';
      handlers.onList(body.items ?? []);
      watch();
    } catch (err) {
      retry(`${path}: ${err instanceof Error ? err.message : err}`);
    }
  }

  function watch(): void {
    if (stopped) return;
    const query = new URLSearchParams({ watch: '1', resourceVersion, allowWatchBookmarks: 'true' });
    const current = env.openSocket(`${path}?${query}`);
    socket = current;
    let outcome: 'relist' | 'retry' | undefined;
    let events = 0;
    handlers.onState?.('watching');
    current.onmessage = (message) => {
      let event: { type: string; object: any };
      try { event = JSON.parse(String(message.data)); } catch { return; }
      if (event.type === 'ERROR') {
        // 410 Gone: the resourceVersion is older than the API server keeps; anything else: start over too.
        outcome = event.object?.code === 410 ? 'relist' : 'retry';
        current.close();
        return;
      }
      failures = 0;
      events++;
      if (event.object?.metadata?.resourceVersion) resourceVersion = event.object.metadata.resourceVersion;
      if (event.type === 'BOOKMARK') return;
      handlers.onEvent(event.type as WatchEventType, event.object);
    };
    current.onclose = (close) => {
      if (stopped || socket !== current) return;
      if (outcome === 'relist') void list();
      else if (outcome === 'retry' || close.code !== 1000) retry(`${path}: the watch ended (${close.code})`);
      // The API server ended the watch (its timeout): resume where we were. One that ends
      // at once, again and again, is a server that cannot watch: back off instead of spinning.
      else if (events === 0 && failures > 0) retry(`${path}: the watch ended at once`);
      else { if (events === 0) failures++; watch(); }
    };
  }

  void list();
  return {
    stop() {
      stopped = true;
      socket?.close();
    },
  };
}
