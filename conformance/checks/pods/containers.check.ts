// What a container is started with: its environment (plain values, fields of
// its own pod through the downward API, keys of a ConfigMap) and its command
// line (command replaces the image's entrypoint, args the image's args).

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import {
  PodWatch, busyboxContainer, createPod, describePod, podManifest, podNamespace, readLog, readyNodes, runPod, untilPodAnswers,
  waitingReason, webContainer,
} from './support.ts';

const CITES_ENV = 'https://kubernetes.io/docs/tasks/inject-data-application/environment-variable-expose-pod-information/';
const CITES_CONFIGMAP = 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#define-container-environment-variables-using-configmap-data';
const CITES_COMMAND = 'https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#notes';

/** The container's whole environment, from kubelab/web's GET /env. */
async function containerEnv(t: CheckContext, pod: any): Promise<Record<string, string>> {
  t.step(`GET http://${pod.status.podIP}:8080/env`);
  const res = await untilPodAnswers(t, pod, '/env', `Pod ${pod.metadata.name} to answer GET /env`, (r) => r.status === 200);
  try {
    return JSON.parse(res.text);
  } catch {
    t.fail('GET /env to answer a JSON object', res.text.slice(0, 300));
  }
}

function expectEnv(t: CheckContext, env: Record<string, string>, expected: Record<string, string | undefined>, hint?: string): void {
  const wrong = Object.entries(expected).filter(([name, value]) => env[name] !== value);
  if (wrong.length) {
    t.fail(wrong.map(([name, value]) => `${name}=${value === undefined ? '(not set)' : JSON.stringify(value)}`).join(', '),
      wrong.map(([name]) => `${name}=${env[name] === undefined ? '(not set)' : JSON.stringify(env[name])}`).join(', '),
      [{ label: 'the container\'s environment (GET /env)', value: env }], hint);
  }
}

check({
  id: 'pods.containers.env-fieldref',
  title: 'A container gets its env values, and the downward API fields metadata.name, metadata.namespace, spec.nodeName and status.podIP',
  lab: 'pods', points: 2, cites: CITES_ENV, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  const container = {
    ...webContainer(),
    env: [
      { name: 'GREETING', value: 'hello world' },
      field('POD_NAME', 'metadata.name'),
      field('POD_NAMESPACE', 'metadata.namespace'),
      field('NODE_NAME', 'spec.nodeName'),
      field('POD_IP', 'status.podIP'),
    ],
  };
  const { pod } = await runPod(t, namespace, podManifest('envy', container));
  const env = await containerEnv(t, pod);
  expectEnv(t, env, {
    GREETING: 'hello world', POD_NAME: 'envy', POD_NAMESPACE: namespace, NODE_NAME: pod.spec.nodeName, POD_IP: pod.status.podIP,
  }, 'valueFrom.fieldRef reads a field of the pod as it is when the container starts: by then it is bound to a node and has its IP');
});

check({
  id: 'pods.containers.env-configmap-key',
  title: 'env valueFrom.configMapKeyRef gives a container the value of one key of a ConfigMap',
  lab: 'pods', points: 2, cites: CITES_CONFIGMAP, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  t.step('create ConfigMap settings {color: blue, size: large}');
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { color: 'blue', size: 'large' } } });
  const container = {
    ...webContainer(),
    env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } }],
  };
  const { pod } = await runPod(t, namespace, podManifest('colors', container));
  const env = await containerEnv(t, pod);
  expectEnv(t, env, { COLOR: 'blue', size: undefined });
});

check({
  id: 'pods.containers.env-from-configmap',
  title: 'envFrom.configMapRef turns every key of a ConfigMap into an env variable, with the prefix given',
  lab: 'pods', points: 1, cites: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#configure-all-key-value-pairs-in-a-configmap-as-container-environment-variables', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  t.step('create ConfigMap settings {color: blue, size: large}');
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { color: 'blue', size: 'large' } } });
  const container = { ...webContainer(), envFrom: [{ prefix: 'APP_', configMapRef: { name: 'settings' } }] };
  const { pod } = await runPod(t, namespace, podManifest('all-keys', container));
  const env = await containerEnv(t, pod);
  expectEnv(t, env, { APP_color: 'blue', APP_size: 'large' });
});

check({
  id: 'pods.containers.env-missing-configmap',
  title: 'A container whose env refers to a missing ConfigMap waits with reason CreateContainerConfigError, and starts once the ConfigMap exists',
  lab: 'pods', points: 1, cites: CITES_CONFIGMAP, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'early');
  const container = { ...webContainer(), env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'later', key: 'color' } } }] };
  await createPod(t, namespace, podManifest('early', container));
  const waiting = await watch.until('container waiting with reason CreateContainerConfigError', (p) => waitingReason(p) === 'CreateContainerConfigError', 20_000);
  if (waiting.status?.phase !== 'Pending') {
    t.fail('phase Pending while the container cannot be created', describePod(waiting), [{ label: 'Pod status', value: waiting.status }]);
  }
  t.step('create ConfigMap later {color: green}');
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'later' }, data: { color: 'green' } } });
  const pod = await watch.until('the container running once the ConfigMap exists', (p) => p.status?.phase === 'Running' && p.status?.podIP, 30_000);
  expectEnv(t, await containerEnv(t, pod), { COLOR: 'green' });
});

check({
  id: 'pods.containers.args',
  title: 'A container\'s args replace the image\'s default args (kubelab/busybox args ["echo", "hello"] prints hello and the pod Succeeds)',
  lab: 'pods', points: 2, cites: CITES_COMMAND, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'echo');
  await createPod(t, namespace, podManifest('echo', busyboxContainer(['echo', 'hello']), { restartPolicy: 'Never' }));
  await watch.until('phase Succeeded', (p) => p.status?.phase === 'Succeeded', 20_000);
  const log = await readLog(t, namespace, 'echo');
  if (log !== 'hello\n') {
    t.fail('the log "hello\\n"', JSON.stringify(log), [], 'args replace the image\'s default args (["sleep", "3600"]) and follow its entrypoint');
  }
});

check({
  id: 'pods.containers.command',
  title: 'A container\'s command replaces the image\'s entrypoint and drops the image\'s args; command and args together run command + args',
  lab: 'pods', points: 2, cites: CITES_COMMAND, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'commands');
  // The image's working directory holds its program, so ./busybox.mjs is the image's own entrypoint file.
  const containers = [
    busyboxContainer([], { name: 'only-command', command: ['node', './busybox.mjs', 'echo', 'from', 'command'], args: undefined }),
    busyboxContainer(['two', 'words'], { name: 'command-and-args', command: ['node', './busybox.mjs', 'echo'] }),
  ];
  await createPod(t, namespace, podManifest('commands', containers[0], { restartPolicy: 'Never', containers }));
  await watch.until('phase Succeeded', (p) => p.status?.phase === 'Succeeded', 20_000);
  const only = await readLog(t, namespace, 'commands', { container: 'only-command' });
  if (only !== 'from command\n') {
    t.fail('container only-command to log "from command\\n"', JSON.stringify(only), [],
      'a command without args drops the image\'s default args (["sleep", "3600"])');
  }
  const both = await readLog(t, namespace, 'commands', { container: 'command-and-args' });
  if (both !== 'two words\n') {
    t.fail('container command-and-args to log "two words\\n"', JSON.stringify(both), [], 'the process runs command followed by args');
  }
});
