// Discovery: how clients learn which resources this server has.
//
// kubectl asks /api and /apis first, hoping for the aggregated document
// (apidiscovery.k8s.io/v2: every group, version and resource in one answer);
// older clients and `kubectl drain` read the legacy documents (/api/v1,
// /apis/apps/v1: one APIResourceList per group version). Both are served.
// shortNames (po, deploy), categories (all) and verbs are what make
// `kubectl get po`, `kubectl get all` and `kubectl api-resources` work.

import { RESOURCES, groupVersion, servedGroupVersions, type ResourceType } from './resources.ts';

export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the Accept header asks for aggregated discovery v2. */
export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.includes('g=apidiscovery.k8s.io') && accept.includes('v=v2;') && accept.includes('as=APIGroupDiscoveryList');
}

function resourcesOf(group: string, version: string): ResourceType[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

function aggregatedResource(r: ResourceType) {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length ? {
      subresources: r.subresources.map((s) => ({ subresource: s.name, responseKind: s.responseKind, verbs: s.verbs })),
    } : {}),
  };
}

function aggregatedGroup(group: string) {
  const versions = servedGroupVersions().filter((gv) => gv.group === group);
  return {
    metadata: { name: group },
    versions: versions.map((gv) => ({
      version: gv.version,
      resources: resourcesOf(gv.group, gv.version).map(aggregatedResource),
      freshness: 'Current',
    })),
  };
}

/** /api (core group only) or /apis (named groups) as one APIGroupDiscoveryList. */
export function aggregatedDiscovery(core: boolean) {
  const groups = [...new Set(servedGroupVersions().map((gv) => gv.group))].filter((g) => (core ? g === '' : g !== ''));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: groups.map(aggregatedGroup) };
}

/** GET /api, legacy form. */
export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string) {
  const versions = servedGroupVersions().filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${gv.group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** GET /apis, legacy form. */
export function apiGroupList() {
  const groups = [...new Set(servedGroupVersions().map((gv) => gv.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** GET /apis/{group}. */
export function apiGroupDocument(group: string) {
  if (!servedGroupVersions().some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

/** GET /api/v1 or /apis/{group}/{version}: the legacy APIResourceList, subresources as "pods/status". */
export function apiResourceList(group: string, version: string) {
  const resources = resourcesOf(group, version);
  if (!resources.length) return undefined;
  const entries: object[] = [];
  for (const r of resources) {
    entries.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      // Subresources of another group name it (pods/eviction is policy/v1 Eviction): drain needs that.
      const foreign = s.responseKind.group !== r.group || s.responseKind.version !== r.version;
      entries.push({
        name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.responseKind.kind, verbs: s.verbs,
        ...(foreign ? { group: s.responseKind.group, version: s.responseKind.version } : {}),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: entries };
}
