// The service proxy (kubelab's kube-proxy): one per node, started by the node
// process once the node is registered.
//
//   informers (Services, Endpoints) ──any change──▶ sync()
//   sync(): desired listeners (service-ports.ts) ──▶ open, update, close listeners (listener.ts)
//
// Like kube-proxy it never asks what changed: every sync rebuilds the whole
// table from the caches and brings the listeners in line with it, so a missed
// event or a restart ends the same way. A pod that turns unready leaves its
// Endpoints' ready addresses and so stops getting new connections at the next
// sync, a moment after the Endpoints controller wrote the change.
//
// Where this differs from kube-proxy (reference/DEVIATIONS.md): kube-proxy
// writes packet rewriting rules into the kernel and forwards nothing itself;
// here the proxy accepts each connection and copies bytes. And because all
// nodes share one loopback, a ClusterIP:port is held by one node's proxy at a
// time, the others standing by to take it over (listener.ts).

import type { ApiClient } from '../client/api-client.ts';
import { Informer } from '../client/informer.ts';
import { ENDPOINTS, SERVICES } from '../client/paths.ts';
import { ServiceListener } from './listener.ts';
import { desiredListeners, listenerKey, type ListenerSpec } from './service-ports.ts';

export interface ProxyOptions {
  client: ApiClient;
  /** The node's IP: NodePorts listen here, and connections to backends come from here. */
  nodeIP: string;
  log?: (message: string) => void;
}

export class ServiceProxy {
  private readonly services: Informer;
  private readonly endpoints: Informer;
  private readonly listeners = new Map<string, ServiceListener>();
  private syncScheduled = false;
  private stopped = false;

  constructor(private readonly options: ProxyOptions) {
    this.services = new Informer(options.client, SERVICES);
    this.endpoints = new Informer(options.client, ENDPOINTS);
    for (const informer of [this.services, this.endpoints]) {
      informer.addEventHandler({
        onAdd: () => this.scheduleSync(),
        onUpdate: () => this.scheduleSync(),
        onDelete: () => this.scheduleSync(),
      });
    }
  }

  /** Starts watching; resolves once both caches are filled and the first sync ran. */
  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.endpoints.start()]);
    if (!this.stopped) this.sync();
  }

  stop(): void {
    this.stopped = true;
    this.services.stop();
    this.endpoints.stop();
    for (const listener of this.listeners.values()) listener.close();
    this.listeners.clear();
  }

  /** The listeners, by address (for tests and log lines). */
  get table(): ReadonlyMap<string, ServiceListener> {
    return this.listeners;
  }

  /** A burst of events (a rollout) ends in one sync, not one per event. */
  private scheduleSync(): void {
    if (this.syncScheduled || this.stopped) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      if (!this.stopped) this.sync();
    });
  }

  private sync(): void {
    const endpointsOf = (key: string) => this.endpoints.get(key);
    let specs: ListenerSpec[];
    try {
      specs = desiredListeners(this.services.list(), endpointsOf, this.options.nodeIP);
    } catch (err) {
      // A table that cannot be built (a bug, or a lab's TODO in the starter kit) must not take the
      // node agent down with it: say why, keep the listeners as they are, and try again on the next change.
      this.options.log?.(`cannot build the proxy table: ${(err as Error).message}`);
      return;
    }
    const desired = new Map(specs.map((spec) => [listenerKey(spec), spec]));

    for (const [key, listener] of this.listeners) {
      if (desired.has(key)) continue;
      listener.close(); // the Service or its port is gone
      this.listeners.delete(key);
    }
    for (const [key, spec] of desired) {
      let listener = this.listeners.get(key);
      if (!listener) {
        listener = new ServiceListener(spec.host, spec.port, { name: spec.name, sourceIP: this.options.nodeIP, log: this.options.log });
        this.listeners.set(key, listener);
      }
      listener.setBackends(spec.backends);
    }
  }
}
