// Emptying a namespace, one kind at a time: the per-kind calls of
// pkg/controller/namespace/deletion/namespaced_resources_deleter.go in Kubernetes.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound, type ApiClient } from '../../client/api-client.ts';
import type { ApiResource } from '../../client/discovery.ts';
import { resourcePath } from '../../client/paths.ts';

/** The kinds that live in a namespace and can be deleted: what emptying a namespace means. */
export function deletableInNamespace(resources: ApiResource[]): ApiResource[] {
  return resources.filter((r) => r.namespaced && r.verbs.includes('delete'));
}

/**
 * Asks for the deletion of every object of one kind in the namespace: one
 * DELETE on the collection when the kind supports it, else one per object.
 * Propagation is Background: an Orphan default must not put finalizers that
 * would hold the namespace; everything in it goes anyway.
 */
export async function deleteAllOf(client: ApiClient, resource: ApiResource, namespace: string): Promise<void> {
  const options = { propagationPolicy: 'Background' };
  if (resource.verbs.includes('deletecollection')) {
    await client.delete(resourcePath(resource.ref, namespace), options);
    return;
  }
  for (const obj of await remainingOf(client, resource, namespace)) {
    try {
      await client.delete(resourcePath(resource.ref, namespace, obj.metadata.name), options);
    } catch (err) {
      if (!isNotFound(err)) throw err; // gone meanwhile: fine
    }
  }
}

/** The objects of one kind still in the namespace: pods stopping on their node, objects waiting for their finalizers. */
export async function remainingOf(client: ApiClient, resource: ApiResource, namespace: string): Promise<KubeObject[]> {
  if (!resource.verbs.includes('list')) return []; // cannot be counted: not waited for
  const list = await client.get<{ items: KubeObject[] }>(resourcePath(resource.ref, namespace));
  return list.items ?? [];
}

/** "pods." for the core group, "replicasets.apps" otherwise: how Kubernetes names a resource in these messages. */
export function resourceName(resource: ApiResource): string {
  return `${resource.ref.plural}.${resource.ref.group}`;
}
