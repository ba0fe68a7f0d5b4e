// Placement: which node a pod may go to, decided by the node's labels (a pod's
// nodeSelector), its taints (a pod's tolerations), whether it is cordoned
// (spec.unschedulable), and, among the nodes that fit, spreading pods of one
// workload; and a pod that fits nowhere is placed once a node changes so that
// it fits.
//
// These checks change nodes: they label, taint and cordon them, and put them
// back as they were when the check ends, pass or fail. So each has a cluster to
// itself (exclusive: no other check runs there meanwhile), and they never touch
// the first schedulable node (by name), so that a cluster reached through a
// kubeconfig, where nothing else can be had, still has a node for every pod.
// Spreading needs a quiet cluster too: other checks' pods would change which
// node has the fewest.

import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { statusOf, type CheckContext } from '../../lib/context.ts';
import { PodWatch, createPod, describePod, podManifest, podNamespace, schedulableNodes, webContainer } from '../pods/support.ts';

const CITES_ASSIGN = 'https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodeselector';
const CITES_TAINTS = 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/';
const CITES_CORDON = 'https://kubernetes.io/docs/concepts/architecture/nodes/#manual-node-administration';
const CITES_SPREAD = 'https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#internal-default-constraints';

const HOSTNAME = 'kubernetes.io/hostname';

/** A label or taint key no other check (or earlier run) uses. */
function uniqueKey(): string {
  return `kubelab.dev/check-${randomBytes(3).toString('hex')}`;
}

function nameOf(node: k8s.V1Node): string {
  return node.metadata!.name!;
}

/** At least `count` nodes that take new pods, or the check is skipped. */
async function nodesToUse(t: CheckContext, count: number): Promise<k8s.V1Node[]> {
  const nodes = await schedulableNodes(t);
  if (nodes.length < count) {
    t.skip(`needs ${count} nodes that take new pods (Ready, not cordoned, not tainted); the cluster has ${nodes.length}`);
  }
  return nodes;
}

function hostnameOf(t: CheckContext, node: k8s.V1Node): string {
  const value = node.metadata?.labels?.[HOSTNAME];
  if (!value) t.skip(`node ${nameOf(node)} has no ${HOSTNAME} label to pin pods with`);
  return value;
}

async function mergePatchNode(t: CheckContext, name: string, body: object): Promise<void> {
  await t.core.patchNode({ name, body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
}

/** Changes a node's taints with read, change, PUT; again on a 409 (the node agent writes the node too). */
async function changeTaints(t: CheckContext, name: string, change: (taints: k8s.V1Taint[]) => k8s.V1Taint[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const node = await t.core.readNode({ name });
    node.spec = { ...node.spec, taints: change(node.spec?.taints ?? []) };
    try {
      await t.core.replaceNode({ name, body: node });
      return;
    } catch (err) {
      if (statusOf(err).code !== 409 || attempt >= 10) throw err;
    }
  }
}

/**
 * Runs body, then undoes every change it registered, whatever happened; an
 * undo that fails fails the check (a node left tainted would break others).
 */
async function withNodeChanges(t: CheckContext, body: (undo: (what: string, fn: () => Promise<unknown>) => void) => Promise<void>): Promise<void> {
  const undos: { what: string; fn: () => Promise<unknown> }[] = [];
  try {
    await body((what, fn) => undos.push({ what, fn }));
  } finally {
    const results = await Promise.allSettled(undos.reverse().map(async (u) => {
      t.step(`undo: ${u.what}`);
      await u.fn();
    }));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${undos[i].what}: ${(r.reason as Error).message}`] : []));
    if (failed.length) t.fail('every node put back as it was', failed.join('; '));
  }
}

async function labelNode(t: CheckContext, name: string, key: string, value: string, undo: (what: string, fn: () => Promise<unknown>) => void): Promise<void> {
  t.step(`label node ${name} ${key}=${value}`);
  undo(`remove label ${key} from node ${name}`, () => mergePatchNode(t, name, { metadata: { labels: { [key]: null } } }));
  await mergePatchNode(t, name, { metadata: { labels: { [key]: value } } });
}

async function taintNode(t: CheckContext, name: string, key: string, undo: (what: string, fn: () => Promise<unknown>) => void): Promise<void> {
  t.step(`taint node ${name} ${key}=yes:NoSchedule`);
  undo(`remove taint ${key} from node ${name}`, () => changeTaints(t, name, (taints) => taints.filter((x) => x.key !== key)));
  await changeTaints(t, name, (taints) => [...taints.filter((x) => x.key !== key), { key, value: 'yes', effect: 'NoSchedule' }]);
}

async function cordonNode(t: CheckContext, name: string, undo: (what: string, fn: () => Promise<unknown>) => void): Promise<void> {
  t.step(`cordon node ${name} (spec.unschedulable true)`);
  undo(`uncordon node ${name}`, () => mergePatchNode(t, name, { spec: { unschedulable: null } }));
  await mergePatchNode(t, name, { spec: { unschedulable: true } });
}

/** Creates the pod and waits until it is bound to a node; returns the node's name. */
async function placed(t: CheckContext, namespace: string, body: any, timeoutMs = 15_000): Promise<string> {
  const watch = new PodWatch(t, namespace, body.metadata.name);
  await createPod(t, namespace, body);
  const pod = await watch.until(`Pod ${body.metadata.name} bound to a node (spec.nodeName)`, (p) => !!p.spec?.nodeName, timeoutMs);
  return pod.spec.nodeName;
}

/** Creates the pod and waits for PodScheduled False, reason Unschedulable; returns the pod and its watch. */
async function unplaced(t: CheckContext, namespace: string, body: any): Promise<{ pod: any; message: string; watch: PodWatch }> {
  const watch = new PodWatch(t, namespace, body.metadata.name);
  await createPod(t, namespace, body);
  const isUnschedulable = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  // A pod bound to a node ends the wait at once: it will never be unschedulable.
  const pod = await watch.until(`Pod ${body.metadata.name} Pending with PodScheduled False, reason Unschedulable`, (p) => isUnschedulable(p) || !!p.spec?.nodeName, 15_000);
  if (pod.spec?.nodeName) t.fail(`Pod ${body.metadata.name} Pending, bound to no node`, describePod(pod), [{ label: `Pod ${body.metadata.name} spec`, value: pod.spec }]);
  const message = pod.status.conditions.find((c: any) => c.type === 'PodScheduled').message ?? '';
  return { pod, message, watch };
}

function web(name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): any {
  return podManifest(name, webContainer(), { terminationGracePeriodSeconds: 1, ...spec }, labels);
}

check({
  id: 'scheduler.placement.node-selector',
  title: 'A pod with a nodeSelector goes to the node that has the label; with a label no node has it stays Pending ("didn\'t match Pod\'s node affinity/selector")',
  lab: 'scheduler', points: 2, cites: CITES_ASSIGN, exclusive: true,
}, async (t) => {
  const nodes = await nodesToUse(t, 1);
  const namespace = await podNamespace(t);
  const chosen = nameOf(nodes[nodes.length - 1]);
  const key = uniqueKey();
  await withNodeChanges(t, async (undo) => {
    await labelNode(t, chosen, key, 'here', undo);
    for (const name of ['picky-1', 'picky-2']) {
      const node = await placed(t, namespace, web(name, { nodeSelector: { [key]: 'here' } }));
      if (node !== chosen) t.fail(`Pod ${name} on node ${chosen}, the only node labelled ${key}=here`, `on node ${node}`);
    }
    const { pod, message } = await unplaced(t, namespace, web('nowhere', { nodeSelector: { [key]: 'elsewhere' } }));
    if (!message.includes("didn't match Pod's node affinity/selector")) {
      t.fail(`a message naming "node(s) didn't match Pod's node affinity/selector"`, JSON.stringify(message), [{ label: 'Pod nowhere status', value: pod.status }]);
    }
  });
});

check({
  id: 'scheduler.placement.node-change-retry',
  title: 'A pod that fits no node is placed once a node changes so that it fits (a node gets the label its nodeSelector wants)',
  lab: 'scheduler', points: 2, cites: 'https://kubernetes.io/docs/concepts/scheduling-eviction/scheduling-framework/#scheduling-cycle-binding-cycle', exclusive: true,
}, async (t) => {
  const nodes = await nodesToUse(t, 1);
  const namespace = await podNamespace(t);
  const chosen = nameOf(nodes[nodes.length - 1]);
  const key = uniqueKey();
  await withNodeChanges(t, async (undo) => {
    const { watch } = await unplaced(t, namespace, web('patient', { nodeSelector: { [key]: 'yes' } }));
    watch.mark();
    await labelNode(t, chosen, key, 'yes', undo);
    const pod = await watch.until(`Pod patient bound to node ${chosen} once the node has the label`, (p) => !!p.spec?.nodeName, 15_000);
    if (pod.spec.nodeName !== chosen) t.fail(`Pod patient on node ${chosen}`, `on node ${pod.spec.nodeName}`);
  });
});

check({
  id: 'scheduler.placement.taints',
  title: 'A NoSchedule taint keeps pods off a node unless they tolerate it: untolerating pods go elsewhere or stay Pending, a tolerating pod may go there',
  lab: 'scheduler', points: 3, cites: CITES_TAINTS, exclusive: true,
}, async (t) => {
  const nodes = await nodesToUse(t, 2);
  const namespace = await podNamespace(t);
  const [kept, ...tainted] = nodes.map(nameOf);
  const taintedHost = hostnameOf(t, nodes[1]);
  const key = uniqueKey();
  await withNodeChanges(t, async (undo) => {
    for (const name of tainted) await taintNode(t, name, key, undo);
    for (const name of ['plain-1', 'plain-2', 'plain-3']) {
      const node = await placed(t, namespace, web(name));
      if (node !== kept) t.fail(`Pod ${name} on node ${kept}, the only node without the taint ${key}`, `on node ${node}`, [], 'a pod without a matching toleration never goes to a node with a NoSchedule taint');
    }
    const pin = { nodeSelector: { [HOSTNAME]: taintedHost } };
    const { pod, message } = await unplaced(t, namespace, web('pinned', pin));
    if (!message.includes(key)) {
      t.fail(`a message naming the taint ${key} (e.g. "node(s) had untolerated taint {${key}: yes}")`, JSON.stringify(message), [{ label: 'Pod pinned status', value: pod.status }]);
    }
    const tolerations = [{ key, operator: 'Exists', effect: 'NoSchedule' }];
    const node = await placed(t, namespace, web('tolerant', { ...pin, tolerations }));
    if (node !== tainted[0]) t.fail(`Pod tolerant on node ${tainted[0]}`, `on node ${node}`, [], 'a toleration with operator Exists matches the taint whatever its value');
  });
});

check({
  id: 'scheduler.placement.cordon',
  title: 'A cordoned node (spec.unschedulable) takes no new pods: they go to the other nodes, or stay Pending ("node(s) were unschedulable")',
  lab: 'scheduler', points: 2, cites: CITES_CORDON, exclusive: true,
}, async (t) => {
  const nodes = await nodesToUse(t, 2);
  const namespace = await podNamespace(t);
  const [kept, ...cordoned] = nodes.map(nameOf);
  const cordonedHost = hostnameOf(t, nodes[1]);
  await withNodeChanges(t, async (undo) => {
    for (const name of cordoned) await cordonNode(t, name, undo);
    for (const name of ['new-1', 'new-2', 'new-3']) {
      const node = await placed(t, namespace, web(name));
      if (node !== kept) t.fail(`Pod ${name} on node ${kept}, the only node not cordoned`, `on node ${node}`);
    }
    const { pod, message } = await unplaced(t, namespace, web('pinned', { nodeSelector: { [HOSTNAME]: cordonedHost } }));
    if (!message.includes('unschedulable')) {
      t.fail('a message naming "node(s) were unschedulable"', JSON.stringify(message), [{ label: 'Pod pinned status', value: pod.status }]);
    }
  });
});

check({
  id: 'scheduler.placement.spread',
  title: 'Pods of one workload (same labels, selected by one Service) are spread over the nodes: three of them land on at least two nodes',
  lab: 'scheduler', points: 2, cites: CITES_SPREAD, exclusive: true,
}, async (t) => {
  await nodesToUse(t, 2);
  const namespace = await podNamespace(t);
  const labels = { app: 'spread' };
  // Kubernetes' default spreading finds a pod's siblings through the Services (and controllers) that select it.
  t.step('create Service spread selecting app=spread');
  await t.core.createNamespacedService({ namespace, body: { metadata: { name: 'spread' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } } });
  const where: string[] = [];
  for (const name of ['spread-1', 'spread-2', 'spread-3']) where.push(await placed(t, namespace, web(name, {}, labels)));
  if (new Set(where).size < 2) {
    t.fail('the three pods on at least two different nodes', `all on node ${where[0]}`, [],
      'among the nodes that fit, prefer the one with the fewest pods of the same workload');
  }
});
