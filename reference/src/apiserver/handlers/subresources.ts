// Subresources: parts of an object with their own URL and rules.
//
// - status: only status changes (controllers and node agents write here);
// - scale: an autoscaling/v1 Scale view of spec.replicas (`kubectl scale`);
// - binding: the scheduler's way to assign a pod to a node;
// - eviction: a delete that respects disruption budgets (`kubectl drain`), in eviction.ts;
// - log: a pod's container output, served by the node agent that runs it;
// - finalize: the one way to change a namespace's spec.finalizers (the namespace controller's last step).

import http from 'node:http';
import type { KubeObject } from '../../api/types.ts';
import { ApiError, badRequest, conflict, internalError, invalid, methodNotAllowed, pathNotFound, serviceUnavailable } from '../errors.ts';
import { findKind } from '../resources.ts';
import { decodeObject, decodePatch, mediaType, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { labelSelectorToString } from '../../api/labels.ts';
import { applyPatch, checkPatchType } from '../patch.ts';
import { invalidValue } from '../validation/field-errors.ts';
import { isQualifiedName } from '../validation/names.ts';
import { now, retryOnConflict } from '../registry/registry.ts';
import { getObject, patchObject, updateObject } from './objects.ts';
import { isDryRun, type RequestContext } from './context.ts';
import { serveEviction } from './eviction.ts';

const POD = findKind('v1', 'Pod')!;
const NODE = findKind('v1', 'Node')!;

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
  if (req.method === 'GET') return sendJson(ctx.res, 200, toScale(await registry.get(resource, info.namespace, info.name!)));
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw methodNotAllowed(req.method ?? '');
  const patchType = req.method === 'PATCH' ? mediaType(req.headers['content-type']) : undefined;
  if (patchType) checkPatchType(patchType);
  const body = patchType ? decodePatch(await readBody(req), patchType) : decodeObject(await readBody(req), req.headers['content-type'] || 'application/json');

  // The new replicas go onto the Deployment as it is at the time of the write: read,
  // set, write, and read again if another write (a controller's status) got in
  // between, unless the client named a resourceVersion itself (scaleUpdatedObjectInfo
  // in pkg/registry/apps/deployment/storage/storage.go, inside GuaranteedUpdate).
  let pinned = false;
  const updated = await retryOnConflict(async () => {
    const current = await registry.get(resource, info.namespace, info.name!);
    const scale: any = patchType ? applyPatch(toScale(current) as unknown as KubeObject, body, patchType) : body;
    const replicas = scale?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw invalid(resource, info.name!, [invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    }
    // A patch carries the version it was applied to; it names one only if it changed it (as for patchObject).
    const rv = scale?.metadata?.resourceVersion;
    pinned = !!rv && (!patchType || rv !== current.metadata.resourceVersion);
    if (pinned && rv !== current.metadata.resourceVersion) throw conflict(resource, info.name!);
    return registry.update(resource, info.namespace, info.name!, { ...current, spec: { ...current.spec, replicas } }, { dryRun: isDryRun(ctx.query) });
  }, () => pinned);
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

/** The finalizers a name without a slash may be (IsStandardFinalizerName in pkg/apis/core/helper). */
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/**
 * PUT namespaces/{name}/finalize: replaces spec.finalizers, and nothing else
 * (pkg/registry/core/namespace/storage/storage.go FinalizeREST). When the
 * namespace is being deleted and the list ends empty, the namespace is gone.
 */
async function serveFinalize(ctx: RequestContext): Promise<void> {
  const { registry, resource, info, req } = ctx;
  if (req.method !== 'PUT') throw methodNotAllowed(req.method ?? '');
  const body = decodeObject(await readBody(req), req.headers['content-type'] || 'application/json');
  // Go clients leave an empty list out of the JSON: no list means no finalizers (not the create-time default).
  const finalizers: unknown = body?.spec?.finalizers ?? [];
  if (!Array.isArray(finalizers)) throw invalid(resource, info.name!, [invalidValue('spec.finalizers', finalizers, 'must be a list of strings')]);
  const errors = finalizers.flatMap((f, i) => {
    const field = `spec.finalizers[${i}]`;
    if (typeof f !== 'string') return [invalidValue(field, f, 'must be a string')];
    const problems = isQualifiedName(f).map((e) => invalidValue(field, f, e));
    if (!f.includes('/') && !STANDARD_FINALIZERS.includes(f)) problems.push(invalidValue(field, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    return problems;
  });
  if (errors.length) throw invalid(resource, info.name!, errors);
  const updated = await registry.update(resource, undefined, info.name!, { ...body, spec: { ...body.spec, finalizers } }, {
    dryRun: isDryRun(ctx.query), subresource: 'finalize',
  });
  sendJson(ctx.res, 200, updated);
}

/**
 * GET pods/{name}/log: container output lives on the node, so the API server
 * asks the node agent that runs the pod (the Node's InternalIP and
 * status.daemonEndpoints.kubeletEndpoint.Port) and streams its answer back, as
 * kube-apiserver does with the kubelet (pkg/registry/core/pod/strategy.go
 * LogLocation, pkg/registry/core/pod/rest/log.go). The agent's own errors
 * ("is waiting to start: ContainerCreating") come back as 400 BadRequest.
 */
async function serveLog(ctx: RequestContext): Promise<void> {
  const { registry, info, req, query } = ctx;
  if (req.method !== 'GET') throw methodNotAllowed(req.method ?? '');
  const pod = await registry.get(POD, info.namespace, info.name!);
  const names = (list: any[] | undefined) => (list ?? []).map((c: any) => c.name as string);
  const containers = names(pod.spec?.containers);
  const initContainers = names(pod.spec?.initContainers);
  let container = query.get('container');
  if (!container) {
    if (containers.length !== 1) {
      const init = initContainers.length ? ` or one of the init containers: [${initContainers.join(' ')}]` : '';
      throw badRequest(`a container name must be specified for pod ${info.name}, choose one of: [${containers.join(' ')}]${init}`);
    }
    container = containers[0];
  }
  if (![...containers, ...initContainers].includes(container)) throw badRequest(`container ${container} is not valid for pod ${info.name}`);
  if (!pod.spec?.nodeName) throw badRequest(`container "${container}" in pod "${info.name}" is waiting to start: ContainerCreating`);

  const node = await registry.get(NODE, undefined, pod.spec.nodeName).catch(() => undefined);
  const address = (node?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
  const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) throw serviceUnavailable(`node "${pod.spec.nodeName}" does not say where its node agent listens (status.daemonEndpoints.kubeletEndpoint.Port)`);
  const params = new URLSearchParams();
  for (const name of ['follow', 'tailLines', 'previous', 'timestamps']) {
    const value = query.get(name);
    if (value !== null) params.set(name, value);
  }
  const path = [info.namespace!, info.name!, container].map(encodeURIComponent).join('/');
  await proxyLog(ctx, `http://${address}:${port}/containerLogs/${path}?${params}`);
}

/** Streams the node agent's answer to the client; follow=true streams until either side goes away. */
function proxyLog(ctx: RequestContext, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = http.get(url, { headers: { Authorization: `Bearer ${ctx.token}` }, timeout: 10_000 }, (answer) => {
      if (answer.statusCode !== 200) {
        let text = '';
        answer.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        answer.on('end', () => {
          const message = text.trim() || `the node agent answered ${answer.statusCode}`;
          // GenericHttpResponseChecker: 400 → BadRequest, 500 → InternalError, others keep their code.
          if (answer.statusCode === 400) reject(badRequest(message));
          else if (answer.statusCode === 500) reject(internalError(new Error(message)));
          else {
            const code = answer.statusCode ?? 502;
            reject(new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, ...(code === 404 ? { reason: 'NotFound' } : {}), code }));
          }
        });
        return;
      }
      // A followed log may be quiet for a long time: no idle timeout once it flows.
      answer.socket.setTimeout(0);
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain' });
      ctx.res.flushHeaders();
      answer.pipe(ctx.res);
      answer.on('end', () => resolve());
      answer.on('error', () => ctx.res.destroy());
      ctx.res.on('close', () => {
        upstream.destroy();
        resolve();
      });
    });
    upstream.on('timeout', () => upstream.destroy(new Error('the node agent did not answer within 10 s')));
    upstream.on('error', (err) => {
      if (ctx.res.headersSent) {
        ctx.res.destroy();
        resolve();
      } else {
        reject(new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Get "${url}": ${err.message}`, code: 500 }));
      }
    });
  });
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
    case 'finalize': return serveFinalize(ctx);
  }
  throw pathNotFound();
}

