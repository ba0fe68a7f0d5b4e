// One line of state per watched object, so a timeline row says what changed:
// a pod's phase and readiness, a workload's replica counts, an event's reason.

type Obj = any;

function conditions(o: Obj): string {
  const list: Obj[] = o?.status?.conditions ?? [];
  return list.map((c) => `${c.type}=${c.status}${c.reason && c.status !== 'True' ? `(${c.reason})` : ''}`).join(' ');
}

function pod(o: Obj): string {
  const statuses: Obj[] = o.status?.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const waiting = statuses.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).filter(Boolean);
  return [
    o.status?.phase ?? 'no phase',
    `node=${o.spec?.nodeName ?? '-'}`,
    `ready ${ready}/${(o.spec?.containers ?? []).length}`,
    restarts ? `restarts ${restarts}` : '',
    waiting.length ? waiting.join(',') : '',
    o.status?.podIP ? `ip ${o.status.podIP}` : '',
    o.metadata?.deletionTimestamp ? 'terminating' : '',
  ].filter(Boolean).join(' ');
}

function workload(o: Obj): string {
  const s = o.status ?? {};
  const counts = `replicas ${o.spec?.replicas ?? '-'}: current ${s.replicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}`;
  const updated = s.updatedReplicas !== undefined ? `, updated ${s.updatedReplicas}` : '';
  return `${counts}${updated} gen ${o.metadata?.generation ?? '-'}/${s.observedGeneration ?? '-'} ${conditions(o)}`.trim();
}

function service(o: Obj): string {
  const ports = (o.spec?.ports ?? []).map((p: Obj) => `${p.port}→${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`).join(',');
  return `${o.spec?.type ?? 'ClusterIP'} ${o.spec?.clusterIP ?? '-'} ports ${ports || '-'}`;
}

function endpoints(o: Obj): string {
  const subsets: Obj[] = o.subsets ?? [];
  const ready = subsets.flatMap((s) => (s.addresses ?? []).map((a: Obj) => a.ip));
  const notReady = subsets.flatMap((s) => (s.notReadyAddresses ?? []).map((a: Obj) => a.ip));
  return `ready [${ready.join(', ')}] notReady [${notReady.join(', ')}]`;
}

function event(o: Obj): string {
  const about = o.involvedObject ? ` (${o.involvedObject.kind}/${o.involvedObject.name})` : '';
  const count = o.count > 1 ? ` ×${o.count}` : '';
  return `${o.type ?? ''} ${o.reason ?? ''}: ${o.message ?? ''}${about}${count}`.trim();
}

function node(o: Obj): string {
  const taints = (o.spec?.taints ?? []).map((t: Obj) => `${t.key}:${t.effect}`);
  // Ready, and the pressure conditions only when they are not False (a problem).
  const shown = { status: { conditions: (o.status?.conditions ?? []).filter((c: Obj) => c.type === 'Ready' || c.status !== 'False') } };
  return [conditions(shown), o.spec?.unschedulable ? 'unschedulable' : '', taints.length ? `taints ${taints.join(',')}` : ''].filter(Boolean).join(' ');
}

const BY_KIND: Record<string, (o: Obj) => string> = {
  Pod: pod, ReplicaSet: workload, Deployment: workload, Service: service, Endpoints: endpoints, Event: event, Node: node,
};

/** A short description of an object's state for a watch event of the given kind. */
export function summarizeObject(kind: string, object: Obj): string {
  if (!object || typeof object !== 'object') return String(object ?? '');
  if (object.kind === 'Status') return `${object.code ?? ''} ${object.reason ?? ''}: ${object.message ?? ''}`.trim();
  try {
    return (BY_KIND[kind] ?? conditions)(object);
  } catch {
    return '(could not summarise)';
  }
}
