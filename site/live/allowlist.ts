// What the live view's proxy lets through to the API server: reads (list and
// watch) of the collections the page shows, and nothing else. The page can
// therefore never change the cluster, nor read Secrets, ConfigMaps or anything
// the view does not draw. Anything else is answered 403 (proxy.ts).

/** The collections the view shows, by API group/version. Cluster-wide lists, and namespaced ones for the namespaced kinds. */
const CLUSTER_SCOPED = ['nodes', 'namespaces'];
const CORE_NAMESPACED = ['pods', 'services', 'endpoints', 'events'];
const APPS_NAMESPACED = ['deployments', 'replicasets'];

// A namespace name is a DNS label (RFC 1123).
const NAMESPACE = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const ALLOWED_PATHS = [
  new RegExp(`^/api/v1/(?:${[...CLUSTER_SCOPED, ...CORE_NAMESPACED].join('|')})$`),
  new RegExp(`^/api/v1/namespaces/${NAMESPACE}/(?:${CORE_NAMESPACED.join('|')})$`),
  new RegExp(`^/apis/apps/v1/(?:${APPS_NAMESPACED.join('|')})$`),
  new RegExp(`^/apis/apps/v1/namespaces/${NAMESPACE}/(?:${APPS_NAMESPACED.join('|')})$`),
];

/** The query parameters of a list or a watch (https://kubernetes.io/docs/reference/using-api/api-concepts/). */
const ALLOWED_QUERY = new Set([
  'watch', 'resourceVersion', 'resourceVersionMatch', 'allowWatchBookmarks', 'timeoutSeconds',
  'labelSelector', 'fieldSelector', 'limit', 'continue',
]);

export type Verdict = { allowed: true; path: string; query: URLSearchParams; watch: boolean } | { allowed: false; reason: string };

/** Whether a request of the page may go to the API server, and as what. */
export function judge(method: string | undefined, url: string): Verdict {
  if (method !== 'GET') return { allowed: false, reason: `the live view only reads: ${method} is not allowed` };
  const parsed = new URL(url, 'http://view.invalid');
  if (!ALLOWED_PATHS.some((pattern) => pattern.test(parsed.pathname))) {
    return { allowed: false, reason: `the live view does not show ${parsed.pathname}` };
  }
  for (const name of parsed.searchParams.keys()) {
    if (!ALLOWED_QUERY.has(name)) return { allowed: false, reason: `query parameter "${name}" is not one of a list or a watch` };
  }
  const watch = ['1', 'true'].includes(parsed.searchParams.get('watch') ?? '');
  return { allowed: true, path: parsed.pathname, query: parsed.searchParams, watch };
}

/** Whether a URL path is one the proxy answers (the API), rather than one of the page's files. */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/apis/') || url === '/api' || url === '/apis';
}
