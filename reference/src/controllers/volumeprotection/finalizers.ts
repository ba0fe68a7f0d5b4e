// Adding and removing one finalizer, the write both protection controllers make.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound, type ApiClient } from '../../client/api-client.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/**
 * PUT the object with its finalizers changed, and the resourceVersion we read:
 * if it changed meanwhile, the API server says 409 and the key is tried again.
 */
export async function setFinalizer(client: ApiClient, path: string, obj: KubeObject, finalizer: string, present: boolean): Promise<void> {
  const others = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  const next = { ...obj, metadata: { ...obj.metadata, finalizers: present ? [...others, finalizer] : others } };
  try {
    await client.update(path, next);
  } catch (err) {
    if (!isNotFound(err)) throw err; // gone already: nothing left to protect
  }
}
