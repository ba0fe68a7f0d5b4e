// The pool's endpoint (cluster-pool.ts). Checks run in vitest workers, the pool
// lives in the main process with the clusters: a check asks for a lease over
// loopback HTTP with a secret token and holds it as long as the connection stays
// open. The answer comes once the lease is granted: one line of JSON saying
// which cluster, and how to reach it and its control endpoint. Closing the
// connection gives the lease back, so a worker that dies gives its leases back too.

import http from 'node:http';
import { startSecretEndpoint, type SecretEndpoint } from './secret-endpoint.ts';
import type { ClusterPool, LeaseMode } from './cluster-pool.ts';
import type { ClusterInfo } from './cluster.ts';

/** What a check needs of the cluster it was given. */
export interface LeasedCluster {
  index: number;
  cluster: ClusterInfo;
  /** That cluster's control endpoint (control-server.ts), for disruptions. */
  control: { url: string; secret: string };
}

export type LeaseEndpoint = SecretEndpoint;

export function startLeaseServer<C>(pool: ClusterPool<C>, describe: (cluster: C) => Omit<LeasedCluster, 'index'>): Promise<LeaseEndpoint> {
  return startSecretEndpoint((body, res) => {
    const mode = (body as { mode?: LeaseMode } | null)?.mode === 'exclusive' ? 'exclusive' : 'shared';
    const request = pool.acquire(mode);
    let release: (() => void) | undefined;
    // The response never ends while the lease is held: its connection closing is the release.
    res.on('close', () => (release ? release() : request.cancel()));
    request.lease.then((lease) => {
      release = lease.release;
      if (res.destroyed) return lease.release();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ index: lease.index, ...describe(lease.cluster) }) + '\n');
    });
  });
}

/** Called from a check: waits for a lease of the given mode; `release()` gives it back. */
export function takeCluster(endpoint: { url: string; secret: string }, mode: LeaseMode): Promise<LeasedCluster & { release(): void }> {
  return new Promise((resolve, reject) => {
    // A connection of its own (no keep-alive pool): it is the lease.
    const req = http.request(endpoint.url, {
      method: 'POST', agent: false, headers: { Authorization: `Bearer ${endpoint.secret}`, 'Content-Type': 'application/json' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      // Destroying the request is how a lease is given back: the response then errors, as expected.
      res.on('error', () => undefined);
      res.on('data', (chunk: string) => {
        text += chunk;
        const end = text.indexOf('\n');
        if (end < 0) return;
        if (res.statusCode !== 200) return;
        resolve({ ...(JSON.parse(text.slice(0, end)) as LeasedCluster), release: () => req.destroy() });
      });
      res.on('end', () => reject(new Error(`the harness gave no cluster: HTTP ${res.statusCode} ${text}`)));
    });
    req.end(JSON.stringify({ mode }));
  });
}
