// Records, while a check runs, every watch event of the objects it involves:
// one watch per common resource on each namespace the check creates, and the
// Nodes cluster-wide. Only a one-line summary of each event is kept, and only
// the latest MAX_EVENTS, so recording stays cheap; it is sent to the reporter
// only when the check fails (conformance/lib/check.ts). Measured on the
// deployments lab (9 checks, 3 nodes): a run took 34 s of CPU with recording and
// without (KUBELAB_TIMELINE=off), its wall time differing less than the noise.
//
// A watch that ends while the check still runs (a restarted control plane) is
// opened again from the last resourceVersion seen, as a client-go reflector does
// (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).

import https from 'node:https';
import http from 'node:http';
import { onLines, type Endpoint } from '../harness/raw-client.ts';
import { Ring, type WatchRecord } from './recording.ts';
import { summarizeObject } from './summaries.ts';

export const MAX_EVENTS = 2000;

/** The namespaced resources a check's objects are made of, with their kind. */
const NAMESPACED: { path: string; kind: string }[] = [
  { path: 'api/v1/pods', kind: 'Pod' },
  { path: 'apis/apps/v1/replicasets', kind: 'ReplicaSet' },
  { path: 'apis/apps/v1/deployments', kind: 'Deployment' },
  { path: 'api/v1/services', kind: 'Service' },
  { path: 'api/v1/endpoints', kind: 'Endpoints' },
  { path: 'api/v1/events', kind: 'Event' },
];

/** How long opening a watch may hold up the check (an implementation that does not answer watches). */
const OPEN_WAIT_MS = 1000;
const RETRY_MS = 250;
const MAX_RETRY_MS = 2000;

export class WatchRecorder {
  private readonly ring = new Ring<WatchRecord>(MAX_EVENTS);
  private readonly requests = new Set<http.ClientRequest>();
  private nodesWatched = false;
  private readonly namespaces = new Set<string>();
  private closed = false;

  /** enabled false (KUBELAB_TIMELINE=off) records nothing: for measuring what recording costs. */
  constructor(private readonly endpoint: Endpoint, private readonly enabled = process.env.KUBELAB_TIMELINE !== 'off') {}

  get events(): WatchRecord[] {
    return this.ring.toArray();
  }

  get dropped(): number {
    return this.ring.droppedTotal;
  }

  /** Starts recording a namespace's objects (and the Nodes, once); resolves when the watches are open or after a second. */
  async watchNamespace(namespace: string): Promise<void> {
    if (!this.enabled || this.namespaces.has(namespace)) return;
    this.namespaces.add(namespace);
    const opened = NAMESPACED.map((r) => this.watch(`/${r.path.replace(/\/([a-z]+)$/, `/namespaces/${encodeURIComponent(namespace)}/$1`)}`, r.kind));
    opened.push(this.watchNodes());
    await Promise.race([Promise.all(opened), new Promise((r) => setTimeout(r, OPEN_WAIT_MS).unref())]);
  }

  watchNodes(): Promise<void> {
    if (this.nodesWatched || !this.enabled) return Promise.resolve();
    this.nodesWatched = true;
    return this.watch('/api/v1/nodes', 'Node');
  }

  close(): void {
    this.closed = true;
    for (const req of this.requests) req.destroy();
    this.requests.clear();
  }

  private note(type: string, kind: string, summary: string): void {
    this.ring.push({ time: Date.now(), type, kind, name: '', summary });
  }

  /** Opens one watch (again from resourceVersion after a break); resolves once the server answered or the request failed. */
  private watch(path: string, kind: string, resourceVersion?: string, failures = 0): Promise<void> {
    if (this.closed) return Promise.resolve();
    const url = new URL(`${path}?watch=1${resourceVersion ? `&resourceVersion=${encodeURIComponent(resourceVersion)}` : ''}`, this.endpoint.apiUrl);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.endpoint.token) headers.Authorization = `Bearer ${this.endpoint.token}`;
    const lib = url.protocol === 'https:' ? https : http;
    let lastVersion = resourceVersion;
    let gone = false;
    let retried = false;
    let streamed = false;
    return new Promise((answered) => {
      // The stream ended (note it) or the server could not be reached (a control plane down: retry quietly, slower each time).
      const again = () => {
        if (retried) return;
        retried = true;
        this.requests.delete(req);
        answered();
        if (this.closed) return;
        const next = streamed ? 0 : failures + 1;
        setTimeout(() => {
          if (this.closed) return;
          if (streamed) this.note('RECONNECT', kind, `watch ${path} ended; opening it again${gone || !lastVersion ? '' : ` from resourceVersion ${lastVersion}`}`);
          void this.watch(path, kind, gone ? undefined : lastVersion, next);
        }, Math.min(RETRY_MS * 2 ** next, MAX_RETRY_MS)).unref();
      };
      const req = lib.request(url, { headers, ca: this.endpoint.caPem }, (res) => {
        answered();
        if (res.statusCode !== 200) {
          // The implementation does not serve this resource: say so once, and do not ask again.
          this.note('UNAVAILABLE', kind, `watch ${path} answered ${res.statusCode}`);
          res.resume();
          this.requests.delete(req);
          return;
        }
        streamed = true;
        onLines(res, (line) => this.record(kind, line, (rv) => { lastVersion = rv; }, () => { gone = true; }));
        res.on('end', again);
        res.on('error', () => undefined);
      });
      this.requests.add(req);
      req.on('error', () => { if (!this.closed) again(); });
      req.end();
    });
  }

  private record(kind: string, line: string, seenVersion: (rv: string) => void, expired: () => void): void {
    let event: { type?: string; object?: any };
    try {
      event = JSON.parse(line);
    } catch {
      this.note('UNPARSEABLE', kind, line.slice(0, 300));
      return;
    }
    const object = event.object ?? {};
    const rv = object.metadata?.resourceVersion;
    if (rv && event.type !== 'ERROR') seenVersion(rv);
    if (event.type === 'ERROR' && object.code === 410) expired();
    if (event.type === 'BOOKMARK') return;
    this.ring.push({
      time: Date.now(), type: event.type ?? '?', kind,
      name: object.metadata?.name ?? '', namespace: object.metadata?.namespace,
      summary: summarizeObject(kind, object),
    });
  }
}
