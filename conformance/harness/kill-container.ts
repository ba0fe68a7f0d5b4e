// The kill-container disruption: SIGKILL to one container's main process, as
// when it crashes or the kernel kills it, with the node agent left running.
//
// The harness knows the node processes, not the containers, so it asks the
// node agent through the contract's debug endpoint (conformance/README.md):
//
//   pod (API) → spec.nodeName → Node (API) → InternalIP and
//   status.daemonEndpoints.kubeletEndpoint.Port → GET /debug/containers
//   (bearer token) → the container's pid → SIGKILL.
//
// An implementation without that endpoint cannot be disrupted this way: the
// error then carries NO_DEBUG_ENDPOINT, and a check that needs kill-container
// reports itself skipped with that message.

import { rawRequest, type Endpoint } from './raw-client.ts';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** One running container, as GET /debug/containers lists it. */
export interface DebugContainer extends ContainerRef {
  containerID: string;
  pid: number;
}

/** In every error that means "this node agent has no debug endpoint": checks look for it to skip. */
export const NO_DEBUG_ENDPOINT = 'the node agent has no debug endpoint';

/** Where the node agent of the pod's node listens, as its Node advertises it. */
async function agentUrl(cluster: Endpoint, target: ContainerRef): Promise<{ node: string; url: string }> {
  const pod = await rawRequest(cluster, { path: `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}` });
  if (pod.status !== 200) throw new Error(`reading pod ${target.namespace}/${target.pod} answered ${pod.status}: ${pod.text.slice(0, 200)}`);
  const node = pod.json?.spec?.nodeName as string | undefined;
  if (!node) throw new Error(`pod ${target.namespace}/${target.pod} is not bound to a node`);
  const res = await rawRequest(cluster, { path: `/api/v1/nodes/${encodeURIComponent(node)}` });
  if (res.status !== 200) throw new Error(`reading node ${node} answered ${res.status}`);
  const address = (res.json?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
  const port = res.json?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) {
    throw new Error(`${NO_DEBUG_ENDPOINT}: node ${node} advertises no InternalIP and status.daemonEndpoints.kubeletEndpoint.Port to reach it on`);
  }
  return { node, url: `http://${address.includes(':') ? `[${address}]` : address}:${port}` };
}

/** GET /debug/containers on the pod's node agent: the running containers it lists. */
export async function listNodeContainers(cluster: Endpoint, target: ContainerRef): Promise<{ node: string; endpoint: string; items: DebugContainer[] }> {
  const { node, url } = await agentUrl(cluster, target);
  const endpoint = `${url}/debug/containers`;
  const res = await rawRequest({ apiUrl: url, token: cluster.token }, { path: '/debug/containers', timeoutMs: 5000 }).catch((err: Error) => {
    throw new Error(`${NO_DEBUG_ENDPOINT}: GET ${endpoint} (node ${node}) is unreachable: ${err.message}`);
  });
  if (res.status === 404) throw new Error(`${NO_DEBUG_ENDPOINT}: GET ${endpoint} (node ${node}) answered 404`);
  if (res.status !== 200 || !Array.isArray(res.json?.items)) {
    throw new Error(`GET ${endpoint} (node ${node}) answered ${res.status}, not {"items":[…]}: ${res.text.slice(0, 200)}`);
  }
  return { node, endpoint, items: res.json.items };
}

export async function killContainer(cluster: Endpoint, target: ContainerRef): Promise<DebugContainer> {
  const { node, endpoint, items } = await listNodeContainers(cluster, target);
  const found = items.find((c) => c.namespace === target.namespace && c.pod === target.pod && c.container === target.container);
  if (!found) {
    const listed = items.map((c) => `${c.namespace}/${c.pod}/${c.container}`).join(', ') || 'none';
    throw new Error(`GET ${endpoint} (node ${node}) lists no running container ${target.container} of pod ${target.namespace}/${target.pod} (it lists: ${listed})`);
  }
  // Never the harness itself or init, whatever an endpoint answers.
  if (!Number.isInteger(found.pid) || found.pid <= 1 || found.pid === process.pid) {
    throw new Error(`GET ${endpoint} gave pid ${found.pid} for ${target.container}, which is no container process`);
  }
  try {
    process.kill(found.pid, 'SIGKILL');
  } catch (err) {
    throw new Error(`SIGKILL to pid ${found.pid} (container ${target.container} of pod ${target.namespace}/${target.pod}) failed: ${(err as Error).message}`);
  }
  return found;
}
