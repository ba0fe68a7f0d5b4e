// Waiting for a cluster the harness started, whatever started it (the process
// driver, the container driver): the API's /readyz, N Ready Nodes, a node back
// after its restart. Every wait is bounded by a deadline, and its error names
// the phase, what was last seen, and the last lines of the part that is late.

import { rawRequest, type Endpoint } from './raw-client.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What was going on, for the error: start-up, or the disruption that restarted something. */
  phase: string;
  timeoutMs: number;
  /** Throws (naming the phase and the part) when a part the wait depends on has exited. */
  failIfExited?: () => Promise<void>;
}


/** Polls /readyz until the API answers 200. tail() gives the control plane's last lines for the error. */
export async function waitForApiReady(endpoint: Endpoint, options: WaitOptions & { tail: () => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    await options.failIfExited?.();
    try {
      // Never wait past the deadline: an API server that accepts connections and never answers must not stretch it.
      const res = await rawRequest(endpoint, { path: '/readyz', timeoutMs: Math.max(100, Math.min(2000, deadline - Date.now())) });
      if (res.status === 200) return;
      last = `/readyz answered ${res.status}: ${res.text.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${options.phase}: the control plane was not ready within ${options.timeoutMs / 1000} s (${last}). Its last lines:\n${options.tail()}`);
}

/** The names of the Nodes whose Ready condition is True. */
export async function readyNodes(endpoint: Endpoint, timeoutMs = 5000): Promise<Set<string>> {
  const res = await rawRequest(endpoint, { path: '/api/v1/nodes', timeoutMs }).catch(() => undefined);
  const items: any[] = res?.json?.items ?? [];
  return new Set(items
    .filter((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name));
}

/**
 * Waits until count Nodes are Ready. names are the nodes started; lateTail(name)
 * gives the last lines of one that is not Ready, for the error.
 */
export async function waitForReadyNodes(endpoint: Endpoint, count: number, names: string[], options: WaitOptions & { tail: (name: string) => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let ready = new Set<string>();
  while (Date.now() < deadline) {
    await options.failIfExited?.();
    ready = await readyNodes(endpoint, Math.max(100, Math.min(5000, deadline - Date.now())));
    if (ready.size >= count) return;
    await sleep(200);
  }
  // Name the first node that is not Ready and show what it said.
  const late = names.find((name) => !ready.has(name));
  const which = late ? `node ${late} is not Ready. Its last lines:\n${options.tail(late)}` : 'the Nodes are missing from the API';
  throw new Error(`${options.phase}: ${ready.size} of ${count} nodes became Ready within ${options.timeoutMs / 1000} s; ${which}`);
}

/** Waits for a restarted node agent: its Lease renewed at or after since, and its Node Ready. */
export async function waitForNodeBack(endpoint: Endpoint, name: string, since: number, options: WaitOptions & { tail: () => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let seen = 'no answer yet';
  while (Date.now() < deadline) {
    const [lease, node] = await Promise.all([
      rawRequest(endpoint, { path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}` }).catch(() => undefined),
      rawRequest(endpoint, { path: `/api/v1/nodes/${name}` }).catch(() => undefined),
    ]);
    const renewTime = lease?.json?.spec?.renewTime as string | undefined;
    const ready = (node?.json?.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
    if (renewTime && Date.parse(renewTime) >= since && ready === 'True') return;
    seen = `Lease renewTime ${renewTime ?? '(none)'}, Ready ${ready ?? '(none)'}`;
    await sleep(200);
  }
  throw new Error(`${options.phase}: node ${name} did not come back within ${options.timeoutMs / 1000} s of its restart (${seen}). Its last lines:\n${options.tail()}`);
}
