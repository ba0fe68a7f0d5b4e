// Secrets in a pod: as env variables (one key with secretKeyRef, every key with
// envFrom), as files of a secret volume, and the wait while a key the container
// needs does not exist. A Secret's values are base64 in the API; the container
// sees the decoded bytes.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import {
  PodWatch, createPod, describePod, podManifest, podNamespace, readyNodes, runPod, untilPodAnswers, waitingReason, webContainer,
} from './support.ts';

const CITES_ENV = 'https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data';
const CITES_VOLUME = 'https://kubernetes.io/docs/concepts/storage/volumes/#secret';
const CITES_MISSING = 'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables';

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function createSecret(t: CheckContext, namespace: string, name: string, values: Record<string, string>): Promise<void> {
  t.step(`create Secret ${name} with the keys ${Object.keys(values).join(', ')}`);
  const data = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, b64(value)]));
  await t.core.createNamespacedSecret({ namespace, body: { metadata: { name }, type: 'Opaque', data } });
}

check({
  id: 'pods.config.secret-env',
  title: 'env valueFrom.secretKeyRef and envFrom.secretRef give a container the decoded values of a Secret',
  lab: 'pods', points: 2, cites: CITES_ENV, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  await createSecret(t, namespace, 'db', { user: 'admin', password: 's3cret value' });
  const container = {
    ...webContainer(),
    envFrom: [{ prefix: 'DB_', secretRef: { name: 'db' } }],
    env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
  };
  const { pod } = await runPod(t, namespace, podManifest('secretive', container));
  t.step(`GET http://${pod.status.podIP}:8080/env`);
  const res = await untilPodAnswers(t, pod, '/env', 'Pod secretive to answer GET /env', (r) => r.status === 200);
  let env: Record<string, string> = {};
  try { env = JSON.parse(res.text); } catch { /* reported below */ }
  const expected = { PASSWORD: 's3cret value', DB_user: 'admin', DB_password: 's3cret value' };
  const wrong = Object.entries(expected).filter(([name, value]) => env[name] !== value);
  if (wrong.length) {
    t.fail(wrong.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', '),
      wrong.map(([name]) => `${name}=${env[name] === undefined ? '(not set)' : JSON.stringify(env[name])}`).join(', '),
      [{ label: 'the container\'s environment (GET /env)', value: env }],
      'the Secret\'s data is base64 in the API: the container gets the decoded text, envFrom keys with the prefix in front');
  }
});

check({
  id: 'pods.config.secret-volume',
  title: 'A secret volume shows each key of the Secret as a file holding the decoded value, and items put a key at a path of their own',
  lab: 'pods', points: 2, cites: CITES_VOLUME, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  await createSecret(t, namespace, 'creds', { username: 'admin', 'api.key': 'k-123\n' });
  const container = webContainer({}, {
    volumeMounts: [{ name: 'all', mountPath: '/etc/creds' }, { name: 'picked', mountPath: '/etc/picked' }],
  });
  const volumes = [
    { name: 'all', secret: { secretName: 'creds' } },
    { name: 'picked', secret: { secretName: 'creds', items: [{ key: 'api.key', path: 'keys/api' }] } },
  ];
  const { pod } = await runPod(t, namespace, podManifest('mounted', container, { volumes }));
  await untilPodAnswers(t, pod, '/files/etc/creds/username', 'GET /files/etc/creds/username to answer "admin"', (r) => r.status === 200 && r.text === 'admin');
  await untilPodAnswers(t, pod, '/files/etc/creds/api.key', 'GET /files/etc/creds/api.key to answer "k-123\\n"', (r) => r.status === 200 && r.text === 'k-123\n');
  await untilPodAnswers(t, pod, '/files/etc/picked/keys/api', 'GET /files/etc/picked/keys/api to answer "k-123\\n" (items: key api.key at path keys/api)',
    (r) => r.status === 200 && r.text === 'k-123\n');
  const listing = await untilPodAnswers(t, pod, '/files/etc/picked', 'GET /files/etc/picked to list the folder', (r) => r.status === 200);
  let names: string[] = [];
  try { names = JSON.parse(listing.text); } catch { /* checked below */ }
  // A real kubelet adds hidden entries (..data and a timestamped folder) for atomic updates: only the visible ones are checked.
  const visible = names.filter((n) => !n.startsWith('..'));
  if (JSON.stringify(visible) !== JSON.stringify(['keys'])) {
    t.fail('the folder /etc/picked to hold only keys/api', listing.text.trim(), [], 'with items, only the listed keys become files, at the paths given');
  }
});

check({
  id: 'pods.config.missing-secret-key',
  title: 'A container whose env names a key its Secret does not have waits with reason CreateContainerConfigError, and starts once the key exists',
  lab: 'pods', points: 1, cites: CITES_MISSING, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  await createSecret(t, namespace, 'partial', { user: 'admin' });
  const watch = new PodWatch(t, namespace, 'keyless');
  const container = { ...webContainer(), env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'partial', key: 'token' } } }] };
  await createPod(t, namespace, podManifest('keyless', container));
  const waiting = await watch.until('container waiting with reason CreateContainerConfigError',
    (p) => waitingReason(p) === 'CreateContainerConfigError', 20_000);
  if (waiting.status?.phase !== 'Pending') {
    t.fail('phase Pending while the container cannot be created', describePod(waiting), [{ label: 'Pod status', value: waiting.status }]);
  }
  t.step('add the key token to Secret partial');
  await t.core.patchNamespacedSecret({ namespace, name: 'partial', body: { data: { token: b64('t0ken') } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  const running = await watch.until('the container running once the key exists', (p) => p.status?.phase === 'Running' && p.status?.podIP, 30_000);
  await untilPodAnswers(t, running, '/env/TOKEN', 'GET /env/TOKEN to answer "t0ken"', (r) => r.status === 200 && r.text === 't0ken');
});
