// One TCP listener of the service proxy: an address (a ClusterIP and port, or
// the node's IP and a NodePort) and the ready endpoints behind it. Each
// connection it accepts goes to the next endpoint in turn (round robin), and
// the bytes are copied both ways until either side closes.
//
// The listener is bound only while it has endpoints. With none, nothing
// listens and a client's connection is refused, as kube-proxy's REJECT rule
// refuses it.
//
// Sharing one address between nodes: every node runs a proxy, but all nodes
// share the machine's loopback, and only one process can listen on a given
// ClusterIP:port (Node 20's net module has no SO_REUSEPORT). So each proxy
// tries to bind; the one that wins serves every client, and the others get
// EADDRINUSE and try again every RETRY_MS. When the winner's node dies, its
// sockets close with it and another proxy takes the address over within
// RETRY_MS. (NodePorts do not compete: each node listens on its own IP.)

import net from 'node:net';

export interface Backend {
  ip: string;
  port: number;
}

export interface ListenerOptions {
  /** Names the listener in log lines, e.g. "default/web:http". */
  name: string;
  /** Connect to backends from this address (the node's IP), so a backend sees which node forwarded. */
  sourceIP?: string;
  /** How often a proxy that lost the address to another one tries again. */
  retryMs?: number;
  log?: (message: string) => void;
}

const RETRY_MS = 500;

export class ServiceListener {
  private backends: Backend[] = [];
  private next = 0;
  private server?: net.Server;
  /** The server is bound (not just asked to bind). */
  private bound = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly connections = new Set<net.Socket>();
  private lastError = '';

  constructor(readonly host: string, readonly port: number, private readonly options: ListenerOptions) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Whether this proxy holds the address now (another proxy may hold it instead). */
  get listening(): boolean {
    return this.bound;
  }

  /** Replaces the endpoints; binds when there are some, lets go of the address when there are none. */
  setBackends(backends: Backend[]): void {
    this.backends = [...backends];
    if (this.next >= this.backends.length) this.next = 0;
    if (this.backends.length > 0) this.bind();
    else this.unbind();
  }

  /** Stops listening and drops every open connection. */
  close(): void {
    this.closed = true;
    this.unbind();
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
  }

  // ---- the address: bind, lose it to another proxy, retry ----

  private bind(): void {
    if (this.closed || this.server || this.retryTimer) return;
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server = server;
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (this.server !== server) return;
      this.server = undefined;
      this.bound = false;
      server.close();
      if (this.closed) return; // closed while the bind was under way: no retry
      // EADDRINUSE: another node's proxy serves the address; EACCES: a port below 1024 without the privilege.
      if (err.code !== 'EADDRINUSE' && err.code !== this.lastError) {
        this.options.log?.(`cannot listen on ${this.address} for ${this.options.name}: ${err.message}; retrying`);
      }
      this.lastError = err.code ?? '';
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.backends.length > 0) this.bind();
      }, this.options.retryMs ?? RETRY_MS);
    });
    server.listen({ host: this.host, port: this.port }, () => {
      if (this.server !== server) return;
      this.bound = true;
      this.lastError = '';
      // The endpoints may have gone while the bind was under way.
      if (this.closed || this.backends.length === 0) this.unbind();
      else this.options.log?.(`serving ${this.address} for ${this.options.name}`);
    });
  }

  private unbind(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const server = this.server;
    if (!server) return;
    if (!this.bound) return; // still binding: the listen callback lets go of it
    this.server = undefined;
    this.bound = false;
    server.close(); // open connections stay until either side closes them
  }

  // ---- connections ----

  // LAB(services) begin: choosing a backend for each connection (round robin)
  /** The endpoints to try for one connection: the next one in turn first, then the others. */
  private pick(): Backend[] {
    const n = this.backends.length;
    if (n === 0) return [];
    const first = this.next % n;
    this.next = (first + 1) % n;
    return Array.from({ length: n }, (_, i) => this.backends[(first + i) % n]);
  }
  // LAB end

  private accept(client: net.Socket): void {
    this.connections.add(client);
    client.on('close', () => this.connections.delete(client));
    client.on('error', () => client.destroy());
    this.connect(client, this.pick());
  }

  /**
   * Connects to the first backend that answers (kube-proxy's userspace mode also
   * moved on to the next endpoint when one refused), then copies both ways.
   * With no backend left, the client's connection is reset.
   */
  private connect(client: net.Socket, candidates: Backend[]): void {
    if (client.destroyed) return; // the client gave up meanwhile
    const backend = candidates[0];
    if (!backend) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: backend.ip, port: backend.port, localAddress: this.options.sourceIP, allowHalfOpen: true });
    const failed = () => this.connect(client, candidates.slice(1));
    upstream.once('error', failed);
    upstream.once('connect', () => {
      upstream.off('error', failed);
      upstream.on('error', () => upstream.destroy());
      // A side that closed after sending its end has passed it on through pipe()
      // (the other side finishes writing first); one that broke off takes the other down.
      client.on('close', () => !upstream.writableEnded && upstream.destroy());
      upstream.on('close', () => !client.writableEnded && client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
