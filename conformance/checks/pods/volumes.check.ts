// Volumes: an emptyDir belongs to the pod, not to the container, so it outlives
// a container restart; a configMap volume shows each key of the ConfigMap as a
// file at the mount path.

import { check } from '../../lib/check.ts';
import {
  livenessProbe, podHttp, podManifest, podNamespace, readyNodes, restartCount, runPod, untilPodAnswers, webContainer,
} from './support.ts';

check({
  id: 'pods.volumes.emptydir-survives-restart',
  title: 'A file written to an emptyDir volume is still there after the container restarts',
  lab: 'pods', points: 2, cites: 'https://kubernetes.io/docs/concepts/storage/volumes/#emptydir', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const container = webContainer({}, { livenessProbe: livenessProbe(), volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] });
  const { pod, watch } = await runPod(t, namespace, podManifest('keeper', container, { volumes: [{ name: 'scratch', emptyDir: {} }] }));
  t.step('PUT /files/scratch/note.txt');
  const put = await podHttp(t, pod, '/files/scratch/note.txt', { method: 'PUT', body: 'kept across restarts\n' });
  if (put.status !== 201 && put.status !== 200) t.fail('PUT /files/scratch/note.txt to answer 201', `HTTP ${put.status}: ${put.text}`);
  t.step('POST /fail/healthz: the liveness probe fails and the container is restarted');
  await podHttp(t, pod, '/fail/healthz', { method: 'POST' });
  const restarted = await watch.until('the container running again after a restart',
    (p) => restartCount(p) >= 1 && p.status?.containerStatuses?.[0]?.state?.running, 20_000);
  t.step('GET /files/scratch/note.txt from the new run');
  await untilPodAnswers(t, restarted, '/files/scratch/note.txt', 'the restarted container to read "kept across restarts" from /scratch/note.txt',
    (r) => r.status === 200 && r.text === 'kept across restarts\n');
});

check({
  id: 'pods.volumes.configmap',
  title: 'A configMap volume shows each key of the ConfigMap as a file under the mount path',
  lab: 'pods', points: 2, cites: 'https://kubernetes.io/docs/concepts/storage/volumes/#configmap', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  t.step('create ConfigMap site {greeting: hello, app.conf: "mode=fast\\n"}');
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'site' }, data: { greeting: 'hello', 'app.conf': 'mode=fast\n' } } });
  const container = webContainer({}, { volumeMounts: [{ name: 'config', mountPath: '/etc/site' }] });
  const { pod } = await runPod(t, namespace, podManifest('reader', container, { volumes: [{ name: 'config', configMap: { name: 'site' } }] }));
  await untilPodAnswers(t, pod, '/files/etc/site/greeting', 'GET /files/etc/site/greeting to answer "hello"', (r) => r.status === 200 && r.text === 'hello');
  await untilPodAnswers(t, pod, '/files/etc/site/app.conf', 'GET /files/etc/site/app.conf to answer "mode=fast\\n"', (r) => r.status === 200 && r.text === 'mode=fast\n');
  const listing = await untilPodAnswers(t, pod, '/files/etc/site', 'GET /files/etc/site to list the folder', (r) => r.status === 200);
  let names: string[] = [];
  try { names = JSON.parse(listing.text); } catch { /* checked below */ }
  // A real kubelet adds hidden entries (..data and a timestamped folder) for atomic updates: only the keys are checked.
  const visible = names.filter((n) => !n.startsWith('..')).sort();
  if (JSON.stringify(visible) !== JSON.stringify(['app.conf', 'greeting'])) {
    t.fail('the folder /etc/site to hold the files app.conf and greeting', listing.text.trim(), [], 'each key of the ConfigMap is one file, named after the key');
  }
});
