// Reading a Kubernetes API path: which group, version, resource, namespace, name
// and subresource a request is about.
//
// This follows k8s.io/apiserver/pkg/endpoints/request/requestinfo.go, which
// parses every path the same way:
//   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
//   /apis/{group}/{version}/{resource}/{name}
// One parser for all kinds is why a new kind needs no new routes.

import { badRequest } from '../errors.ts';

export interface RequestInfo {
  group: string;
  version: string;
  namespace?: string;
  /** e.g. "pods"; undefined for a group-version discovery request. */
  resource?: string;
  name?: string;
  subresource?: string;
}

/** Subresources that belong to a namespace itself rather than to objects in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * One path segment without its %-escapes. A broken escape ("%zz") is the client's
 * mistake: Go's net/http answers 400 Bad Request before kube-apiserver sees the path
 * (url.ParseRequestURI: "invalid URL escape"); here it is a 400 Status.
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in the path: "${segment}"`);
  }
}

/** Returns undefined for paths that are not resource paths (/version, /healthz, …). */
export function parseResourcePath(pathname: string): RequestInfo | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }

  const info: RequestInfo = { group, version };
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    // /namespaces/{ns}/pods/... is about pods in {ns}; /namespaces/{ns}/status is about the namespace.
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
      rest = rest.slice(2);
    } else {
      info.namespace = undefined;
    }
  }
  [info.resource, info.name, info.subresource] = rest;
  if (rest.length > 3) return undefined;
  return info;
}
