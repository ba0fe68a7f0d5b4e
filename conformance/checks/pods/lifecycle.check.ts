// A pod's life on a node: scheduled, started, Ready, with an IP from its node's
// pod range, answering on that IP; and what a pod whose image cannot be found
// looks like (Pending, ErrImagePull then ImagePullBackOff).

import { check } from '../../lib/check.ts';
import { plain } from '../../lib/context.ts';
import {
  PodWatch, WEB, condition, containerStatusOf, createPod, describePod, nodeNamed, podManifest, podNamespace, readyNodes, runPod,
  untilPodAnswers, waitingReason, webContainer,
} from './support.ts';

const CITES_LIFECYCLE = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/';

/** Whether an IPv4 address lies inside an IPv4 CIDR such as 10.244.1.0/24. */
function inCidr(ip: string, cidr: string): boolean {
  const toNumber = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const [base, bits] = cidr.split('/');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return false;
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toNumber(base) / size) * size;
  return toNumber(ip) >= start && toNumber(ip) < start + size;
}

check({
  id: 'pods.lifecycle.running',
  title: 'A pod is scheduled, runs and becomes Ready: phase Running, an IP from its node\'s podCIDR, the node\'s hostIP, all four conditions True and a running container',
  lab: 'pods', points: 3, cites: CITES_LIFECYCLE, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const { pod } = await runPod(t, namespace, podManifest('web', webContainer()));
  const objects = [{ label: 'Pod web', value: pod }];
  const status = pod.status ?? {};

  const node = await nodeNamed(t, pod.spec?.nodeName);
  const nodeObjects = [...objects, { label: `Node ${node.metadata?.name} (spec, addresses)`, value: { spec: plain(node.spec), addresses: plain(node.status?.addresses) } }];
  const podCIDR = node.spec?.podCIDR;
  if (!status.podIP || (podCIDR && status.podIP.includes('.') && podCIDR.includes('.') && !inCidr(status.podIP, podCIDR))) {
    t.fail(`status.podIP inside the node's spec.podCIDR ${podCIDR ?? '(not set)'}`, `podIP ${status.podIP ?? '(none)'}`, nodeObjects,
      'the node agent hands out pod IPs from the range the Node was given in spec.podCIDR');
  }
  if (!(status.podIPs ?? []).some((p: any) => p.ip === status.podIP)) {
    t.fail(`status.podIPs listing ${status.podIP}`, JSON.stringify(status.podIPs), objects);
  }
  const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  if (!internal.includes(status.hostIP)) {
    t.fail(`status.hostIP = the node's InternalIP (${internal.join(', ') || 'none'})`, `hostIP ${status.hostIP ?? '(none)'}`, nodeObjects);
  }
  if (!status.startTime) t.fail('status.startTime set', 'no startTime', objects, 'startTime is when the node agent accepted the pod');

  for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
    if (condition(pod, type) !== 'True') {
      t.fail(`condition ${type} True`, describePod(pod), objects);
    }
  }
  const c = containerStatusOf(pod, 'web');
  if (!c || c.ready !== true || c.started !== true || c.restartCount !== 0 || !c.state?.running?.startedAt) {
    t.fail('containerStatuses[web]: ready true, started true, restartCount 0, state.running.startedAt set',
      c ? JSON.stringify({ ready: c.ready, started: c.started, restartCount: c.restartCount, state: c.state }) : 'no status for container web', objects);
  }
});

check({
  id: 'pods.lifecycle.serves-http',
  title: 'A running kubelab/web pod answers HTTP on its pod IP, port 8080, with its own name (HOSTNAME is the pod name)',
  lab: 'pods', points: 2, cites: 'https://kubernetes.io/docs/concepts/containers/container-environment/', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const { pod } = await runPod(t, namespace, podManifest('hello', webContainer()));
  t.step(`GET http://${pod.status.podIP}:8080/`);
  const res = await untilPodAnswers(t, pod, '/', `Pod hello to answer GET / on ${pod.status.podIP}:8080`, (r) => r.status === 200);
  let about: any;
  try { about = JSON.parse(res.text); } catch { /* checked below */ }
  if (about?.pod !== 'hello' || about?.image !== WEB) {
    t.fail(`{"pod":"hello","image":"${WEB}",…}`, res.text.trim(), [{ label: 'Pod status', value: pod.status }],
      'the container\'s HOSTNAME is the pod\'s name, and kubelab/web reports it as "pod"');
  }
});

check({
  id: 'pods.lifecycle.image-pull-backoff',
  title: 'A container whose image does not exist waits with reason ErrImagePull, then ImagePullBackOff, and the pod stays Pending',
  lab: 'pods', points: 2, cites: 'https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'missing');
  await createPod(t, namespace, podManifest('missing', webContainer({}, { image: 'kubelab/no-such-image:1' })));
  await watch.until('container waiting with reason ErrImagePull', (p) => waitingReason(p) === 'ErrImagePull', 20_000);
  watch.mark();
  const pod = await watch.until('then waiting with reason ImagePullBackOff', (p) => waitingReason(p) === 'ImagePullBackOff', 20_000);
  if (pod.status?.phase !== 'Pending' || condition(pod, 'Ready') === 'True') {
    t.fail('phase Pending and not Ready while the image cannot be pulled', describePod(pod), [{ label: 'Pod status', value: pod.status }]);
  }
  const ran = watch.versions.find((p) => containerStatusOf(p)?.state?.running || p.status?.phase === 'Running');
  if (ran) t.fail('the container never running', describePod(ran), [{ label: 'Pod status', value: ran.status }]);
});
