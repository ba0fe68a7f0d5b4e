// Data: what a pod writes to its claim outlives the pod, and with reclaim
// policy Retain it outlives the claim too. The volumes are hostPath folders
// that every node of the cluster shares with this process (support.ts).

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { podHttp, podManifest, podNamespace, PodWatch, readyNodes, runPod, untilPodAnswers, webContainer } from '../pods/support.ts';
import {
  CITES_PV, createClaim, createVolume, readClaim, sharedFolder, storageClass, unique, untilClaimGone, untilClaimPhase, untilVolumePhase,
} from './support.ts';

/** kubelab/web mounting the claim at /data, pinned to a node by its hostname label. */
function claimPod(name: string, claimName: string, node: any): any {
  const hostname = node.metadata?.labels?.['kubernetes.io/hostname'];
  return podManifest(name, webContainer({}, { volumeMounts: [{ name: 'data', mountPath: '/data' }] }), {
    terminationGracePeriodSeconds: 1,
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    ...(hostname ? { nodeSelector: { 'kubernetes.io/hostname': hostname } } : {}),
  });
}

async function writeNote(t: CheckContext, pod: any, text: string): Promise<void> {
  t.step(`PUT /files/data/note.txt on Pod ${pod.metadata.name}`);
  const put = await podHttp(t, pod, '/files/data/note.txt', { method: 'PUT', body: text });
  if (put.status !== 201 && put.status !== 200) t.fail('PUT /files/data/note.txt to answer 201', `HTTP ${put.status}: ${put.text}`);
}

/**
 * Deletes the pod and waits for its DELETED event, on the watch that saw it start:
 * a watch opened only now could open after the pod is already gone, and then sees nothing.
 */
async function deletePod(t: CheckContext, watch: PodWatch): Promise<void> {
  const { name, namespace } = watch;
  t.step(`delete Pod ${name} and wait until it is gone`);
  await t.core.deleteNamespacedPod({ name, namespace });
  await watch.gone(`Pod ${name} gone`, 20_000);
}

check({
  id: 'volumes.data.survives-pod',
  title: 'A file a pod writes to its claim is read by a new pod that uses the same claim after the first pod is deleted, on another node when there is one',
  lab: 'volumes', points: 3, cites: CITES_PV, concurrent: true, timeoutMs: 90_000,
}, async (t) => {
  const path = sharedFolder(t);
  const nodes = await readyNodes(t);
  const namespace = await podNamespace(t);
  const cls = storageClass();
  await createVolume(t, 'survives', { storage: '1Gi', storageClassName: cls, path });
  await createClaim(t, namespace, 'data', '1Gi', cls);
  await untilClaimPhase(t, namespace, 'data', 'Bound');

  const text = `written by the first pod ${unique('note')}\n`;
  const { pod: writer, watch: writerWatch } = await runPod(t, namespace, claimPod('writer', 'data', nodes[0]), 30_000);
  await writeNote(t, writer, text);
  await deletePod(t, writerWatch);

  const second = nodes[nodes.length > 1 ? 1 : 0];
  const { pod: reader } = await runPod(t, namespace, claimPod('reader', 'data', second), 30_000);
  await untilPodAnswers(t, reader, '/files/data/note.txt', `Pod reader (node ${reader.spec.nodeName}) to read the note the first pod wrote`,
    (r) => r.status === 200 && r.text === text);
});

check({
  id: 'volumes.data.retain-released',
  title: 'Deleting a claim makes its Retain volume Released, with its claimRef kept so that a new claim of the same name is not bound to it, and the data stays',
  lab: 'volumes', points: 3, cites: 'https://kubernetes.io/docs/concepts/storage/persistent-volumes/#retain', concurrent: true, timeoutMs: 120_000,
}, async (t) => {
  const path = sharedFolder(t);
  const nodes = await readyNodes(t);
  const namespace = await podNamespace(t);
  const cls = storageClass();
  const volume = await createVolume(t, 'retained', { storage: '1Gi', storageClassName: cls, path, reclaimPolicy: 'Retain' });
  const first = await createClaim(t, namespace, 'data', '1Gi', cls);
  await untilClaimPhase(t, namespace, 'data', 'Bound');
  const text = `kept after the claim went ${unique('note')}\n`;
  const { pod: writer, watch: writerWatch } = await runPod(t, namespace, claimPod('writer', 'data', nodes[0]), 30_000);
  await writeNote(t, writer, text);
  await deletePod(t, writerWatch);

  t.step('delete PersistentVolumeClaim data');
  await t.core.deleteNamespacedPersistentVolumeClaim({ name: 'data', namespace });
  await untilClaimGone(t, namespace, 'data');
  const released = await untilVolumePhase(t, volume, 'Released');
  if (released.spec?.claimRef?.uid !== first.metadata.uid) {
    t.fail(`the Released volume's claimRef still naming the deleted claim (uid ${first.metadata.uid})`, JSON.stringify(released.spec?.claimRef),
      [{ label: `PersistentVolume ${volume}`, value: released }], 'Retain keeps the claimRef until an administrator clears it: the data belongs to the old claim');
  }

  await createClaim(t, namespace, 'data', '1Gi', cls);
  t.step('wait 3 s: the new claim must not get the released volume');
  await new Promise((r) => setTimeout(r, 3000));
  const again = await readClaim(t, namespace, 'data');
  if (again.status?.phase !== 'Pending' || again.spec?.volumeName) {
    t.fail('the new claim of the same name Pending, not bound to the released volume', `phase ${again.status?.phase}, volumeName ${JSON.stringify(again.spec?.volumeName)}`,
      [{ label: 'PersistentVolumeClaim data', value: again }]);
  }

  // An administrator gives the retained folder a new volume; the waiting claim takes it, and the data is there.
  const reused = await createVolume(t, 'reused', { storage: '1Gi', storageClassName: cls, path });
  const bound = await untilClaimPhase(t, namespace, 'data', 'Bound', 25_000);
  if (bound.spec?.volumeName !== reused) t.fail(`the new claim bound to ${reused}`, `bound to ${bound.spec?.volumeName}`, [{ label: 'PersistentVolumeClaim data', value: bound }]);
  const { pod: reader } = await runPod(t, namespace, claimPod('reader', 'data', nodes[nodes.length > 1 ? 1 : 0]), 30_000);
  await untilPodAnswers(t, reader, '/files/data/note.txt', 'Pod reader to read the note written before the claim was deleted', (r) => r.status === 200 && r.text === text);
});
