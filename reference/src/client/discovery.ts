// Discovery: which kinds the API server serves, read from the API itself
// (client-go's discovery client and RESTMapper, much reduced).
//
//   GET /api                  → the core group's versions (v1)
//   GET /apis                 → every named group and its preferred version
//   GET /api/v1, /apis/apps/v1 → that group version's resources: name (plural),
//                               kind, namespaced, verbs; "pods/status" is a subresource
//
// Controllers that work on every kind use it instead of a list written in
// their code: the namespace controller deletes whatever namespaced kinds the
// server has, and the garbage collector finds the URL of an owner from the
// apiVersion and kind of an ownerReference.

import { isNotFound, type ApiClient } from './api-client.ts';
import type { ResourceRef } from './paths.ts';

/** One served resource, as discovery describes it. */
export interface ApiResource {
  ref: ResourceRef;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

/** "apps/v1" → { group: 'apps', version: 'v1' }; "v1" → the core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function discoveryPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The resources of one group version (subresources left out). */
export async function resourcesOf(client: ApiClient, apiVersion: string): Promise<ApiResource[]> {
  const list = await client.get<ApiResourceList>(discoveryPath(apiVersion));
  const { group, version } = splitApiVersion(apiVersion);
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ ref: { group, version, plural: r.name }, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
}

/**
 * Every resource of every group, in the group's preferred version
 * (ServerPreferredResources). A group whose document cannot be read is named
 * in `failed` with the error; the others are still returned, as client-go does.
 */
export async function discoverResources(client: ApiClient): Promise<{ resources: ApiResource[]; failed: { groupVersion: string; error: Error }[] }> {
  const core = await client.get<{ versions: string[] }>('/api');
  const groups = await client.get<{ groups: { preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[] }>('/apis');
  const groupVersions = [
    ...(core.versions ?? []).slice(0, 1),
    ...(groups.groups ?? []).map((g) => g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion).filter((gv): gv is string => !!gv),
  ];
  const resources: ApiResource[] = [];
  const failed: { groupVersion: string; error: Error }[] = [];
  for (const groupVersion of groupVersions) {
    try {
      resources.push(...await resourcesOf(client, groupVersion));
    } catch (err) {
      failed.push({ groupVersion, error: err as Error });
    }
  }
  return { resources, failed };
}

/**
 * Finds the resource of an apiVersion and kind (client-go's RESTMapper): the
 * garbage collector knows an owner only by its ownerReference. One discovery
 * request per group version, remembered; a kind not found is asked for again
 * (the server may have learnt it since), at most once a minute.
 */
export class ResourceMapper {
  private readonly byGroupVersion = new Map<string, { resources: ApiResource[]; readAt: number }>();

  constructor(private readonly client: ApiClient, private readonly refreshAfterMs = 60_000) {}

  /** The resource serving apiVersion/kind, or undefined when the server does not serve it. */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    let known = this.byGroupVersion.get(apiVersion);
    let found = known?.resources.find((r) => r.kind === kind);
    if (found) return found;
    if (known && Date.now() - known.readAt < this.refreshAfterMs) return undefined;
    try {
      known = { resources: await resourcesOf(this.client, apiVersion), readAt: Date.now() };
    } catch (err) {
      // A group version the server does not serve at all answers 404: it has no such kind.
      if (isNotFound(err)) known = { resources: [], readAt: Date.now() };
      else throw err;
    }
    this.byGroupVersion.set(apiVersion, known);
    found = known.resources.find((r) => r.kind === kind);
    return found;
  }
}
