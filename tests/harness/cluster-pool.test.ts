// The cluster pool (conformance/harness/cluster-pool.ts) and its lease endpoint
// (lease-server.ts): which cluster a check gets, and when. Shared checks share
// the main cluster; a check that needs a cluster to itself gets an extra one,
// started on demand up to a limit, or, with no extra allowed, the main one once
// no shared check holds it, before any shared check that asked after it.

import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClusterPool, type Lease } from '../../conformance/harness/cluster-pool.ts';
import { startLeaseServer, takeCluster } from '../../conformance/harness/lease-server.ts';

/** Whether the promise has settled after the pending callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 20));
  return done;
}

function extras(limit: number, fail = false) {
  const started: number[] = [];
  return {
    started,
    options: {
      limit,
      start: async (index: number) => {
        started.push(index);
        if (fail) throw new Error('no room');
        return `extra-${index}`;
      },
    },
  };
}

describe('cluster pool', () => {
  it('gives shared leases on the main cluster side by side, and starts an extra cluster only when an exclusive check asks', async () => {
    const { started, options } = extras(2);
    const pool = new ClusterPool('main', options);
    const a = await pool.acquire('shared').lease;
    const b = await pool.acquire('shared').lease;
    expect([a.cluster, b.cluster]).toEqual(['main', 'main']);
    expect(started).toEqual([]);

    const x = await pool.acquire('exclusive').lease;
    expect(x.cluster).toBe('extra-1');
    expect(x.index).toBe(1);
    // The main cluster stays open to shared checks while an extra one is held.
    expect((await pool.acquire('shared').lease).cluster).toBe('main');
  });

  it('runs one exclusive check at a time on each extra cluster, and starts no more than the limit', async () => {
    const { started, options } = extras(2);
    const pool = new ClusterPool('main', options);
    const [x, y] = await Promise.all([pool.acquire('exclusive').lease, pool.acquire('exclusive').lease]);
    expect(new Set([x.cluster, y.cluster])).toEqual(new Set(['extra-1', 'extra-2']));
    const third = pool.acquire('exclusive').lease;
    expect(await settled(third)).toBe(false);
    expect(started).toEqual([1, 2]);
    x.release();
    expect((await third).cluster).toBe(x.cluster);
    // Releasing twice gives nothing back twice.
    x.release();
    const fourth = pool.acquire('exclusive').lease;
    expect(await settled(fourth)).toBe(false);
  });

  it('with no extra cluster, an exclusive check waits for the shared ones, and shared checks that ask after it wait for it', async () => {
    const pool = new ClusterPool('main');
    const a = await pool.acquire('shared').lease;
    const exclusive = pool.acquire('exclusive').lease;
    expect(await settled(exclusive)).toBe(false);
    const later = pool.acquire('shared').lease;
    expect(await settled(later)).toBe(false);

    a.release();
    const x = await exclusive;
    expect(x.cluster).toBe('main');
    expect(await settled(later)).toBe(false);
    x.release();
    expect((await later).cluster).toBe('main');
  });

  it('gives no more shared leases at once than its limit', async () => {
    const pool = new ClusterPool('main', undefined, 2);
    const [a] = await Promise.all([pool.acquire('shared').lease, pool.acquire('shared').lease]);
    const third = pool.acquire('shared').lease;
    expect(await settled(third)).toBe(false);
    a.release();
    expect((await third).cluster).toBe('main');
  });

  it('puts shared checks on an idle extra cluster when the main one is full, and an exclusive check waits for them there', async () => {
    const { started, options } = extras(1);
    const pool = new ClusterPool('main', options, 1);
    const x = await pool.acquire('exclusive').lease; // starts extra-1
    const a = await pool.acquire('shared').lease;
    expect(a.cluster).toBe('main');
    // The main cluster is full and extra-1 is held: the next shared check waits.
    const b = pool.acquire('shared').lease;
    expect(await settled(b)).toBe(false);
    x.release();
    expect((await b).cluster).toBe('extra-1');
    // An exclusive check now waits for extra-1's shared check, and no shared check goes there meanwhile.
    const y = pool.acquire('exclusive').lease;
    const c = pool.acquire('shared').lease;
    expect(await settled(y)).toBe(false);
    (await b).release();
    expect((await y).cluster).toBe('extra-1');
    expect(await settled(c)).toBe(false);
    a.release();
    expect((await c).cluster).toBe('main');
    expect(started).toEqual([1]);
  });

  it('starts extra clusters ahead when told exclusive checks will come, and keeps them for those', async () => {
    const { started, options } = extras(2);
    const pool = new ClusterPool('main', options, 1);
    pool.prestart(5);
    // Up to the limit, before anyone asks; and not again for the checks that then ask.
    expect(started).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 0));
    // The main cluster is full, yet a shared check does not take a cluster kept for the exclusive ones.
    await pool.acquire('shared').lease;
    const waiting = pool.acquire('shared').lease;
    expect(await settled(waiting)).toBe(false);
    const x = await pool.acquire('exclusive').lease;
    expect(x.cluster).toBe('extra-1');
    expect(started).toEqual([1, 2]);
    // Once an exclusive check has had it, a reserved cluster is like any other extra one.
    x.release();
    expect((await waiting).cluster).toBe('extra-1');
  });

  it('falls back to the main cluster when an extra cluster cannot start', async () => {
    const warnings: number[] = [];
    const { options } = extras(2, true);
    const pool = new ClusterPool('main', { ...options, onStartFailed: (index) => warnings.push(index) });
    const x = await pool.acquire('exclusive').lease;
    expect(x.cluster).toBe('main');
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('forgets a request withdrawn before it was granted', async () => {
    const pool = new ClusterPool('main');
    const a = await pool.acquire('shared').lease;
    const withdrawn = pool.acquire('exclusive');
    withdrawn.cancel();
    a.release();
    // Nothing holds the main cluster now: a shared lease is given at once.
    expect(await settled(pool.acquire('shared').lease)).toBe(true);
  });
});

describe('lease endpoint', () => {
  it('answers with the cluster once granted, and takes the lease back when the connection closes', async () => {
    const pool = new ClusterPool<{ name: string }>({ name: 'main' });
    const server = await startLeaseServer(pool, (c) => ({
      cluster: { apiUrl: c.name } as never, control: { url: `control of ${c.name}`, secret: 's' },
    }));
    try {
      const shared = await takeCluster(server, 'shared');
      expect(shared.index).toBe(0);
      expect(shared.control.url).toBe('control of main');
      const exclusive = takeCluster(server, 'exclusive');
      expect(await settled(exclusive)).toBe(false);
      shared.release();
      const granted = await exclusive;
      expect(granted.cluster.apiUrl).toBe('main');
      granted.release();
      // Given back: a check asking now is served at once.
      const again = await takeCluster(server, 'exclusive');
      again.release();
      await expect(takeCluster({ url: server.url, secret: 'wrong' }, 'shared')).rejects.toThrow(/403/);
    } finally {
      await server.close();
    }
  });

  it('withdraws the request of an asker that goes away before it is granted', async () => {
    const pool = new ClusterPool('main');
    const held: Lease<string> = await pool.acquire('shared').lease;
    const server = await startLeaseServer(pool, () => ({ cluster: {} as never, control: { url: '', secret: '' } }));
    try {
      // Told when the endpoint hands the request to the pool.
      const acquire = pool.acquire.bind(pool);
      const asked = new Promise<void>((resolve) => {
        pool.acquire = (mode) => {
          const request = acquire(mode);
          resolve();
          return request;
        };
      });
      // An exclusive request waits for the shared lease above, and holds up shared requests after it…
      const req = http.request(server.url, { method: 'POST', agent: false, headers: { Authorization: `Bearer ${server.secret}` } });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ mode: 'exclusive' }));
      await asked;
      pool.acquire = acquire;
      const blocked = pool.acquire('shared');
      expect(await settled(blocked.lease)).toBe(false);
      blocked.cancel();
      // …until its asker goes away.
      req.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect(await settled(pool.acquire('shared').lease)).toBe(true);
      held.release();
    } finally {
      await server.close();
    }
  });
});
