// The verbs on a resource: get, list, watch, create, update, patch, delete.
//
// Each handler turns an HTTP request into one registry call and the result into
// the response Kubernetes gives: 201 for a create, a List with a resourceVersion
// for a list, a Table when kubectl asks for one, a stream for a watch.

import type { KubeObject } from '../../api/types.ts';
import { badRequest, invalidOptions, methodNotAllowed, ApiError } from '../errors.ts';
import { dryRunErrors } from '../http/write-options.ts';
import { groupVersion } from '../resources.ts';
import { decodeDeleteOptions, decodeObject, decodePatch, mediaType, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { integerParam } from '../http/query.ts';
import { toTable, wantsTable } from '../table.ts';
import { parseFilter } from '../registry/filter.ts';
import { listObjects } from '../registry/list.ts';
import { retryOnConflict } from '../registry/registry.ts';
import { parseResourceVersion } from '../registry/watch.ts';
import { applyPatch, checkPatchType } from '../patch.ts';
import { checkUnknownFields } from '../field-validation.ts';
import { serveWatch } from './watch.ts';
import { isDryRun, type RequestContext } from './context.ts';

/** The response for one object: the object itself, or a one-row Table when kubectl asks for one. */
function sendObject(ctx: RequestContext, code: number, obj: KubeObject): void {
  if (wantsTable(ctx.req.headers.accept)) {
    sendJson(ctx.res, code, toTable(ctx.resource, [obj], { resourceVersion: obj.metadata.resourceVersion }));
  } else {
    sendJson(ctx.res, code, obj);
  }
}

export async function getObject(ctx: RequestContext): Promise<void> {
  const { resource, info } = ctx;
  sendObject(ctx, 200, await ctx.registry.get(resource, info.namespace, info.name!));
}

export async function listOrWatch(ctx: RequestContext): Promise<void> {
  const { query, resource, info } = ctx;
  const filter = parseFilter(resource, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
  const watch = query.get('watch');
  if (watch === 'true' || watch === '1') {
    return serveWatch(ctx, filter);
  }
  const limit = integerParam(query, 'limit');
  if (limit !== undefined && limit < 0) throw badRequest(`limit: Invalid value: "${query.get('limit')}": must be a non-negative integer`);
  // A resourceVersion that is not a revision is the client's mistake: 400. (Kubernetes answers
  // 500 here today, a known bug: kubernetes/kubernetes#139485, fixed to 400 by #139525.)
  const rv = query.get('resourceVersion');
  if (rv) parseResourceVersion(rv);
  const page = await listObjects(ctx.registry.store, resource, info.namespace, {
    filter, limit, continueToken: query.get('continue') ?? undefined,
  });
  const metadata = { resourceVersion: page.resourceVersion, ...(page.continueToken ? { continue: page.continueToken } : {}) };
  if (wantsTable(ctx.req.headers.accept)) {
    sendJson(ctx.res, 200, toTable(resource, page.items, metadata));
    return;
  }
  // Items in a list carry no kind/apiVersion in Kubernetes' JSON, but clients accept both; keep them for readability.
  sendJson(ctx.res, 200, { kind: `${resource.kind}List`, apiVersion: groupVersion(resource), metadata, items: page.items });
}

async function readObject(ctx: RequestContext): Promise<KubeObject> {
  const body = await readBody(ctx.req);
  const obj = decodeObject(body, ctx.req.headers['content-type']);
  checkUnknownFields(ctx, obj);
  return obj;
}

export async function createObject(ctx: RequestContext): Promise<void> {
  const obj = await readObject(ctx);
  const created = await ctx.registry.create(ctx.resource, ctx.info.namespace, obj, { dryRun: isDryRun(ctx.query) });
  sendObject(ctx, 201, created);
}

export async function updateObject(ctx: RequestContext, subresource?: 'status'): Promise<void> {
  const obj = await readObject(ctx);
  const { resource, info } = ctx;
  const updated = await ctx.registry.update(resource, info.namespace, info.name!, obj, { dryRun: isDryRun(ctx.query), subresource });
  sendObject(ctx, 200, updated);
}

/**
 * Applies a patch to the current object and writes it back. When the patch does not
 * name a resourceVersion itself, a concurrent write is not the client's problem: read
 * again and retry (as Kubernetes' patcher does).
 */
export async function patchObject(ctx: RequestContext, subresource?: 'status'): Promise<void> {
  const { resource, info, registry } = ctx;
  const type = mediaType(ctx.req.headers['content-type']);
  checkPatchType(type);
  if (type === 'application/apply-patch+yaml' && !ctx.query.get('fieldManager')) {
    throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  }
  const patch = decodePatch(await readBody(ctx.req), type);
  const dryRun = isDryRun(ctx.query);

  let pinned = false;
  const { code, object } = await retryOnConflict(async () => {
    let current: KubeObject;
    try {
      current = await registry.get(resource, info.namespace, info.name!);
    } catch (err) {
      // Server-side apply creates what does not exist yet.
      if (type === 'application/apply-patch+yaml' && !subresource && err instanceof ApiError && err.code === 404) {
        const obj = patch as KubeObject;
        checkUnknownFields(ctx, obj);
        if (obj?.metadata?.name && obj.metadata.name !== info.name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
        return { code: 201, object: await registry.create(resource, info.namespace, { ...obj, metadata: { ...obj.metadata, name: info.name } }, { dryRun }) };
      }
      throw err;
    }
    const patched = applyPatch(current, patch, type);
    checkUnknownFields(ctx, patched);
    pinned = patched.metadata?.resourceVersion !== undefined && patched.metadata.resourceVersion !== current.metadata.resourceVersion;
    if (!pinned) patched.metadata = { ...patched.metadata, resourceVersion: current.metadata.resourceVersion };
    return { code: 200, object: await registry.update(resource, info.namespace, info.name!, patched, { dryRun, subresource }) };
  }, () => pinned);
  sendObject(ctx, code, object);
}

/**
 * The DeleteOptions of a DELETE, from its body and its query (kubectl sends a
 * body; curl users use the query), checked as ValidateDeleteOptions does; and
 * whether the delete is a dry run.
 */
async function deleteOptionsOf(ctx: RequestContext): Promise<{ options: any; dryRun: boolean }> {
  const { query } = ctx;
  const options = decodeDeleteOptions(await readBody(ctx.req), ctx.req.headers['content-type']);
  if (query.has('gracePeriodSeconds')) options.gracePeriodSeconds = integerParam(query, 'gracePeriodSeconds');
  if (query.has('propagationPolicy')) options.propagationPolicy = query.get('propagationPolicy');
  const policies = ['Orphan', 'Background', 'Foreground'];
  if (options.propagationPolicy !== undefined && !policies.includes(options.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (options.gracePeriodSeconds !== undefined && (!Number.isInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0)) {
    throw badRequest(`gracePeriodSeconds: Invalid value: ${options.gracePeriodSeconds}: must be greater than or equal to 0`);
  }
  // The body's dryRun is checked as the query's is (ValidateDeleteOptions): an unknown value must not delete for real.
  const bodyDryRun: unknown[] = options.dryRun === undefined ? [] : Array.isArray(options.dryRun) ? options.dryRun : [options.dryRun];
  const dryRunProblems = dryRunErrors(bodyDryRun);
  if (dryRunProblems.length) throw invalidOptions('DeleteOptions', dryRunProblems);
  return { options, dryRun: isDryRun(query) || bodyDryRun.includes('All') };
}

export async function deleteObject(ctx: RequestContext): Promise<void> {
  const { resource, info } = ctx;
  const { options, dryRun } = await deleteOptionsOf(ctx);
  const { object, gone } = await ctx.registry.delete(resource, info.namespace, info.name!, options, { dryRun });
  sendJson(ctx.res, 200, ctx.registry.deleteResponse(resource, object, gone));
}

export async function deleteCollection(ctx: RequestContext): Promise<void> {
  const { resource, info, query } = ctx;
  const filter = parseFilter(resource, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
  const { options, dryRun } = await deleteOptionsOf(ctx);
  const page = await listObjects(ctx.registry.store, resource, info.namespace, { filter });
  const items: KubeObject[] = [];
  for (const obj of page.items) {
    try {
      items.push((await ctx.registry.delete(resource, obj.metadata.namespace, obj.metadata.name!, options, { dryRun })).object);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err; // deleted meanwhile: nothing to do
    }
  }
  sendJson(ctx.res, 200, { kind: `${resource.kind}List`, apiVersion: groupVersion(resource), metadata: { resourceVersion: page.resourceVersion }, items });
}

export async function serveObjects(ctx: RequestContext): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  const item = ctx.info.name !== undefined;
  if (item && method === 'GET') return getObject(ctx);
  if (item && method === 'PUT') return updateObject(ctx);
  if (item && method === 'PATCH') return patchObject(ctx);
  if (item && method === 'DELETE') return deleteObject(ctx);
  if (!item && method === 'GET') return listOrWatch(ctx);
  if (!item && method === 'DELETE' && ctx.resource.verbs.includes('deletecollection')) return deleteCollection(ctx);
  if (!item && method === 'POST') {
    if (ctx.resource.namespaced && !ctx.info.namespace) throw methodNotAllowed(method);
    return createObject(ctx);
  }
  throw methodNotAllowed(method);
}

