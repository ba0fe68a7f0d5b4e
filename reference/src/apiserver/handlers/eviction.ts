// POST pods/{name}/eviction: a delete that asks the pod's disruption budget first
// (pkg/registry/core/pod/storage/eviction.go in Kubernetes). `kubectl drain`
// evicts every pod of a node this way and retries every 5 s on 429.
//
//   1. a pod that is already down (Pending, Succeeded, Failed, or being deleted)
//      costs no availability: delete it;
//   2. find the budgets whose selector covers the pod: none → delete; more than
//      one → 500 (the eviction subresource does not support it);
//   3. a pod that is not Ready may go without spending a disruption if the
//      budget says AlwaysAllow, or if the budget is currently met
//      (currentHealthy >= desiredHealthy > 0);
//   4. otherwise spend one of status.disruptionsAllowed: 429 when there is none
//      left, or when the disruption controller has not yet seen the budget's
//      latest spec; else decrement it and note the pod in status.disruptedPods
//      (a write guarded by resourceVersion, so two evictions cannot spend the
//      same disruption), then delete the pod.
//
// Every delete here first marks the pod DisruptionTarget=True, reason
// EvictionByEvictionAPI (addConditionAndDeletePod in eviction.go), except in a
// dry run.

import type { KubeObject } from '../../api/types.ts';
import { budgetCoversPod, isPodReadyCondition } from '../../api/disruption-budgets.ts';
import { BY_EVICTION_API, withDisruptionTarget } from '../../api/disruption-target.ts';
import { ApiError, conflict, methodNotAllowed } from '../errors.ts';
import { findKind } from '../resources.ts';
import { decodeObject, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { listObjects } from '../registry/list.ts';
import { EVERYTHING } from '../registry/filter.ts';
import { now } from '../registry/registry.ts';
import type { DeleteOptions } from '../registry/deletion.ts';
import { isDryRun, type RequestContext } from './context.ts';

const POD = findKind('v1', 'Pod')!;
const PDB = findKind('policy/v1', 'PodDisruptionBudget')!;

/** How many times a budget write that lost a race is tried again (EvictionsRetry in eviction.go); then 504. */
const CONFLICT_RETRIES = 5;

/** The 429 kubectl drain waits on: "Cannot evict pod as it would violate the pod's disruption budget." */
function tooManyRequests(cause: string, retryAfterSeconds = 0): ApiError {
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: cause }], ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
    code: 429,
  });
}

/** The budget's status is older than its spec, or the pod changed under us (createTooManyRequestsError). */
function stillProcessing(pdb: KubeObject): ApiError {
  return tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`, 10);
}

/** Phases and states in which the pod is not serving anyway (canIgnorePDB in eviction.go). */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

async function budgetsCovering(ctx: RequestContext, pod: KubeObject): Promise<KubeObject[]> {
  const page = await listObjects(ctx.registry.store, PDB, pod.metadata.namespace, { filter: EVERYTHING });
  return page.items.filter((pdb) => budgetCoversPod(pdb, pod));
}

// LAB(failures) begin: an eviction spends one disruption of the budget, or is refused with 429 (checkAndDecrement)
/**
 * Spends one disruption of the budget for this pod, or throws 429
 * (checkAndDecrement in eviction.go). The write carries the budget's
 * resourceVersion: if another eviction spent a disruption meanwhile, it fails
 * with 409 and the caller reads the budget again.
 */
async function spendDisruption(ctx: RequestContext, pdb: KubeObject, podName: string, dryRun: boolean): Promise<void> {
  const status = pdb.status ?? {};
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
    throw stillProcessing(pdb);
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed <= 0) {
    throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  const next = { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...status.disruptedPods, [podName]: now() } };
  if (next.disruptionsAllowed === 0) {
    // The condition follows the count at once (UpdateDisruptionAllowedCondition).
    next.conditions = (status.conditions ?? []).map((c: any) => c.type === 'DisruptionAllowed'
      ? { ...c, status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: now() } : c);
  }
  await ctx.registry.update(PDB, pdb.metadata.namespace, pdb.metadata.name!, { ...pdb, status: next }, { dryRun, subresource: 'status' });
}
// LAB end

/** How many times the condition write is tried again when the pod changed between our read and our write. */
const CONDITION_RETRIES = 5;

/**
 * Marks the pod DisruptionTarget=True, then deletes it (addConditionAndDeletePod
 * in eviction.go). The condition is written on the latest pod, after checking
 * the delete's preconditions against it; a resourceVersion precondition then
 * moves to the version our own write made, so our write does not fail the delete.
 */
async function addConditionAndDeletePod(ctx: RequestContext, options: DeleteOptions, dryRun: boolean): Promise<void> {
  const { registry, info } = ctx;
  if (!dryRun) {
    for (let attempt = 0; ; attempt++) {
      const latest = await registry.get(POD, info.namespace, info.name!);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== latest.metadata.uid) {
        throw conflict(POD, info.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${latest.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== latest.metadata.resourceVersion) {
        throw conflict(POD, info.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${latest.metadata.resourceVersion}`);
      }
      const status = withDisruptionTarget(latest, BY_EVICTION_API, now());
      if (!status) break;
      try {
        const written = await registry.update(POD, info.namespace, info.name!, { ...latest, status }, { subresource: 'status' });
        if (pre?.resourceVersion) options = { ...options, preconditions: { ...pre, resourceVersion: written.metadata.resourceVersion } };
        break;
      } catch (err) {
        // Someone else wrote the pod between our read and our write: read it again.
        if (!(err instanceof ApiError && err.code === 409) || attempt >= CONDITION_RETRIES) throw err;
      }
    }
  }
  await registry.delete(POD, info.namespace, info.name!, options, { dryRun });
}

export async function serveEviction(ctx: RequestContext): Promise<void> {
  const { registry, info, req } = ctx;
  if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '');
  const eviction = decodeObject(await readBody(req), req.headers['content-type']);
  const dryRun = isDryRun(ctx.query);
  const deleteOptions = eviction.deleteOptions ?? {};
  const evict = async (options = deleteOptions) => {
    await addConditionAndDeletePod(ctx, options, dryRun);
    sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  };

  /**
   * An unhealthy pod is deleted without spending a disruption, guarded by the
   * resourceVersion we judged it by: if it turned Ready meanwhile, the delete
   * fails and the client is told to try again (429).
   */
  const evictUnhealthy = async (pdb: KubeObject, judged: KubeObject) => {
    if (deleteOptions.preconditions?.resourceVersion) return evict();
    try {
      await evict({ ...deleteOptions, preconditions: { ...deleteOptions.preconditions, resourceVersion: judged.metadata.resourceVersion } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) throw stillProcessing(pdb);
      throw err;
    }
  };

  const pod = await registry.get(POD, info.namespace, info.name!);
  if (canIgnoreBudget(pod)) return evict();

  const budgets = await budgetsCovering(ctx, pod);
  if (budgets.length > 1) {
    // A bare Failure Status with code 500, no reason (eviction.go returns it as the result).
    throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 });
  }
  if (budgets.length === 0) return evict();
  let pdb = budgets[0];

  if (!isPodReadyCondition(pod)) {
    // An unhealthy pod adds nothing to the budget; whether it may go anyway is the budget's choice.
    const status = pdb.status ?? {};
    const budgetMet = (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0;
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || budgetMet) return evictUnhealthy(pdb, pod);
  }

  for (let attempt = 0; ; attempt++) {
    try {
      await spendDisruption(ctx, pdb, pod.metadata.name!, dryRun);
      break;
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409) throw err;
      if (attempt >= CONFLICT_RETRIES) {
        throw new ApiError({
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Timeout',
          message: `Timeout: couldn't update PodDisruptionBudget "${pdb.metadata.name}" due to conflicts`, details: { retryAfterSeconds: 10 }, code: 504,
        });
      }
      pdb = await registry.get(PDB, pdb.metadata.namespace, pdb.metadata.name!);
    }
  }
  return evict();
}
