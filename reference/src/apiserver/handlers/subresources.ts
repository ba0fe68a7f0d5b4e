// Subresources: parts of an object with their own URL and rules.
//
// - status: only status changes (controllers and node agents write here);
// - scale: an autoscaling/v1 Scale view of spec.replicas (`kubectl scale`);
// - binding: the scheduler's way to assign a pod to a node;
// - eviction: a delete that respects disruption budgets (`kubectl drain`);
// - log: a pod's container output, served by the node agent that runs it.

import type { KubeObject } from '../../api/types.ts';
import { badRequest, conflict, invalid, methodNotAllowed, pathNotFound, serviceUnavailable } from '../errors.ts';
import { findKind } from '../resources.ts';
import { decodeObject, decodePatch, mediaType, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { labelSelectorToString } from '../selectors/labels.ts';
import { applyPatch, checkPatchType } from '../patch.ts';
import { invalidValue } from '../validation/field-errors.ts';
import { now } from '../registry/registry.ts';
import { getObject, patchObject, updateObject } from './objects.ts';
import { isDryRun, type RequestContext } from './context.ts';

const POD = findKind('v1', 'Pod')!;

function toScale(obj: KubeObject) {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: labelSelectorToString(obj.spec?.selector ?? {}) },
  };
}

async function serveScale(ctx: RequestContext): Promise<void> {
  const { registry, resource, info, req } = ctx;
  const current = await registry.get(resource, info.namespace, info.name!);
  if (req.method === 'GET') return sendJson(ctx.res, 200, toScale(current));

  let scale: any;
  if (req.method === 'PUT') {
    scale = decodeObject(await readBody(req), req.headers['content-type'] || 'application/json');
  } else if (req.method === 'PATCH') {
    const type = mediaType(req.headers['content-type']);
    checkPatchType(type);
    scale = applyPatch(toScale(current) as unknown as KubeObject, decodePatch(await readBody(req), type), type);
  } else {
    throw methodNotAllowed(req.method ?? '');
  }
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid(resource, info.name!, [invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0')]);
  }
  const rv = scale?.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(resource, info.name!);
  const next = { ...current, spec: { ...current.spec, replicas } };
  const updated = await registry.update(resource, info.namespace, info.name!, next, { dryRun: isDryRun(ctx.query) });
  sendJson(ctx.res, 200, toScale(updated));
}

/** POST pods/{name}/binding: sets spec.nodeName once (pkg/registry/core/pod/storage/storage.go assignPod). */
async function serveBinding(ctx: RequestContext): Promise<void> {
  const { registry, info, req } = ctx;
  if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '');
  const binding = decodeObject(await readBody(req), req.headers['content-type']);
  const nodeName = binding?.target?.name;
  if (!nodeName) throw badRequest('Binding target.name is required');
  if (binding.metadata?.name && binding.metadata.name !== info.name) {
    throw badRequest(`the name of the object (${binding.metadata.name}) does not match the name on the URL (${info.name})`);
  }
  const pod = await registry.get(POD, info.namespace, info.name!);
  if (pod.metadata.deletionTimestamp) throw conflict(POD, info.name!, 'pod is being deleted, cannot be assigned to a host');
  if (pod.spec?.nodeName) throw conflict(POD, info.name!, `pod ${info.name} is already assigned to node "${pod.spec.nodeName}"`);
  const conditions = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() });
  // Binding is the one way spec.nodeName changes after create: write it directly, status included.
  const bound = { ...pod, spec: { ...pod.spec, nodeName }, status: { ...pod.status, conditions } };
  await registry.bind(POD, info.namespace, info.name!, bound);
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** POST pods/{name}/eviction: deletes the pod with the Eviction's deleteOptions. */
async function serveEviction(ctx: RequestContext): Promise<void> {
  const { registry, info, req } = ctx;
  if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '');
  const eviction = decodeObject(await readBody(req), req.headers['content-type']);
  await registry.delete(POD, info.namespace, info.name!, eviction.deleteOptions ?? {}, { dryRun: isDryRun(ctx.query) });
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** GET pods/{name}/log: container output lives on the node; there is no node agent to ask yet. */
async function serveLog(ctx: RequestContext): Promise<void> {
  const { registry, info, req } = ctx;
  if (req.method !== 'GET') throw methodNotAllowed(req.method ?? '');
  const pod = await registry.get(POD, info.namespace, info.name!);
  const container = ctx.query.get('container') ?? pod.spec?.containers?.[0]?.name;
  if (!(pod.spec?.containers ?? []).some((c: any) => c.name === container)) {
    throw badRequest(`container ${container} is not valid for pod ${info.name}`);
  }
  if (!pod.spec?.nodeName) throw badRequest(`pod ${info.name} does not have a host assigned`);
  throw serviceUnavailable(`no node agent is serving logs for node "${pod.spec.nodeName}" yet`);
}

export async function serveSubresource(ctx: RequestContext): Promise<void> {
  const sub = ctx.info.subresource!;
  const declared = ctx.resource.subresources.some((s) => s.name === sub);
  if (!declared) throw pathNotFound();
  const method = ctx.req.method;
  switch (sub) {
    case 'status':
      if (method === 'GET') return getObject(ctx);
      if (method === 'PUT') return updateObject(ctx, 'status');
      if (method === 'PATCH') return patchObject(ctx, 'status');
      throw methodNotAllowed(method ?? '');
    case 'scale': return serveScale(ctx);
    case 'binding': return serveBinding(ctx);
    case 'eviction': return serveEviction(ctx);
    case 'log': return serveLog(ctx);
  }
  throw pathNotFound();
}

