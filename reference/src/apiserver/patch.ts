// PATCH: the four patch types Kubernetes accepts, each applied to the stored object.
//
// - application/json-patch+json: RFC 6902 operations (`kubectl rollout undo`);
// - application/merge-patch+json: RFC 7386, null deletes (`kubectl label`, `scale`);
// - application/strategic-merge-patch+json: like merge, but lists of containers,
//   ports, env… merge by their key instead of being replaced (`kubectl apply`,
//   `set image`, `cordon`);
// - application/apply-patch+yaml: server-side apply (`kubectl apply --server-side`).

import type { KubeObject } from '../api/types.ts';
import { isPlainObject } from '../api/objects.ts';
import { ApiError, badRequest, unprocessable, unsupportedMediaType } from './errors.ts';
import { jsonMergePatch } from './patch/merge.ts';
import { applyJsonPatch, PatchError } from './patch/json-patch.ts';
import { strategicMergePatch } from './patch/strategic.ts';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export function checkPatchType(type: string): void {
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type);
}

/** Returns the patched copy of current; current is not changed. */
export function applyPatch(current: KubeObject, patch: unknown, type: string): KubeObject {
  try {
    switch (type) {
      case 'application/json-patch+json':
        if (!Array.isArray(patch)) throw badRequest('json patch must be a list of operations');
        return applyJsonPatch(current, patch) as KubeObject;
      case 'application/merge-patch+json':
        if (!isPlainObject(patch)) throw badRequest('merge patch must be a JSON object');
        return jsonMergePatch(current, patch) as KubeObject;
      case 'application/strategic-merge-patch+json':
      case 'application/apply-patch+yaml':
        // Server-side apply is served as a strategic merge of the applied configuration
        // (without field ownership tracking; see reference/DEVIATIONS.md).
        if (!isPlainObject(patch)) throw badRequest('the patch must be an object');
        return strategicMergePatch(current, patch, current.kind) as KubeObject;
      default:
        throw unsupportedMediaType(type);
    }
  } catch (err) {
    if (err instanceof PatchError) throw type === 'application/json-patch+json' ? unprocessable(err.message) : badRequest(err.message);
    if (err instanceof ApiError) throw err;
    throw badRequest(`the patch could not be applied: ${(err as Error).message}`);
  }
}
