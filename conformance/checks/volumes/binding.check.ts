// Binding: a PersistentVolumeClaim is bound to a PersistentVolume that fits it,
// the smallest that does; a claim that nothing fits waits until a volume
// appears; a pod whose claim is not bound waits too, unscheduled.

import { check } from '../../lib/check.ts';
import { createPod, describePod, podManifest, podNamespace, PodWatch, readyNodes, webContainer } from '../pods/support.ts';
import {
  CITES_BINDER, CITES_PV, createClaim, createVolume, readClaim, readVolume, storageClass, untilClaimPhase, untilVolumePhase,
} from './support.ts';

check({
  id: 'volumes.binding.claim-binds',
  title: 'A claim is bound to a volume that fits: both become Bound, the volume\'s claimRef names the claim, the claim\'s volumeName names the volume, and the claim reports the volume\'s capacity',
  lab: 'volumes', points: 3, cites: CITES_PV, concurrent: true,
}, async (t) => {
  const namespace = await t.namespace();
  const cls = storageClass();
  const volume = await createVolume(t, 'binds', { storage: '2Gi', storageClassName: cls });
  const created = await createClaim(t, namespace, 'data', '1Gi', cls);
  const claim = await untilClaimPhase(t, namespace, 'data', 'Bound');
  const pv = await untilVolumePhase(t, volume, 'Bound');
  const objects = [{ label: 'PersistentVolumeClaim data', value: claim }, { label: `PersistentVolume ${volume}`, value: pv }];
  if (claim.spec?.volumeName !== volume) t.fail(`spec.volumeName ${volume}`, JSON.stringify(claim.spec?.volumeName), objects);
  const ref = pv.spec?.claimRef ?? {};
  if (ref.kind !== 'PersistentVolumeClaim' || ref.namespace !== namespace || ref.name !== 'data' || ref.uid !== created.metadata.uid) {
    t.fail(`the volume's spec.claimRef to name PersistentVolumeClaim ${namespace}/data with uid ${created.metadata.uid}`, JSON.stringify(ref), objects,
      'the binder writes claimRef with the claim\'s kind, namespace, name and uid, so that a new claim of the same name is never mistaken for this one');
  }
  if (claim.status?.capacity?.storage !== '2Gi') {
    t.fail('status.capacity.storage 2Gi: the bound volume\'s capacity, not the 1Gi requested', JSON.stringify(claim.status?.capacity), objects);
  }
  if (JSON.stringify(claim.status?.accessModes) !== JSON.stringify(['ReadWriteOnce'])) {
    t.fail('status.accessModes ["ReadWriteOnce"], the volume\'s', JSON.stringify(claim.status?.accessModes), objects);
  }
});

check({
  id: 'volumes.binding.smallest-fit',
  title: 'Of the volumes that fit a claim, the claim gets the smallest; volumes without a requested access mode or of another storage class are left alone',
  lab: 'volumes', points: 2, cites: CITES_BINDER, concurrent: true,
}, async (t) => {
  const namespace = await t.namespace();
  const cls = storageClass();
  const big = await createVolume(t, 'big', { storage: '5Gi', storageClassName: cls });
  const fit = await createVolume(t, 'fit', { storage: '2Gi', storageClassName: cls });
  const readOnly = await createVolume(t, 'read-only', { storage: '1Gi', storageClassName: cls, accessModes: ['ReadOnlyMany'] });
  const otherClass = await createVolume(t, 'other-class', { storage: '1Gi', storageClassName: storageClass() });
  const small = await createVolume(t, 'too-small', { storage: '512Mi', storageClassName: cls });
  await createClaim(t, namespace, 'data', '1Gi', cls);
  const claim = await untilClaimPhase(t, namespace, 'data', 'Bound');
  if (claim.spec?.volumeName !== fit) {
    const seen = await Promise.all([big, fit, readOnly, otherClass, small].map(async (n) => `${n}: ${(await readVolume(t, n)).status?.phase}`));
    t.fail(`the claim bound to ${fit} (2Gi), the smallest volume with ReadWriteOnce, class ${cls} and at least 1Gi`,
      `bound to ${claim.spec?.volumeName}; volumes: ${seen.join(', ')}`, [{ label: 'PersistentVolumeClaim data', value: claim }],
      'a volume fits when its capacity is at least the request, it has every requested access mode and the same storage class; the smallest that fits wins');
  }
  for (const name of [big, readOnly, otherClass, small]) {
    const pv = await untilVolumePhase(t, name, 'Available');
    if (pv.spec?.claimRef) t.fail(`volume ${name} left unbound`, `claimRef ${JSON.stringify(pv.spec.claimRef)}`, [{ label: `PersistentVolume ${name}`, value: pv }]);
  }
});

check({
  id: 'volumes.binding.waits-for-volume',
  title: 'A claim that no volume fits stays Pending, and is bound as soon as a volume that fits is created',
  lab: 'volumes', points: 2, cites: CITES_PV, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  const namespace = await t.namespace();
  const cls = storageClass();
  await createVolume(t, 'too-small', { storage: '1Gi', storageClassName: cls });
  await createClaim(t, namespace, 'data', '3Gi', cls);
  t.step('wait 3 s: the claim must stay Pending');
  await new Promise((r) => setTimeout(r, 3000));
  const waiting = await readClaim(t, namespace, 'data');
  if (waiting.status?.phase !== 'Pending' || waiting.spec?.volumeName) {
    t.fail('the claim Pending with no volumeName while no volume has 3Gi', `phase ${waiting.status?.phase}, volumeName ${JSON.stringify(waiting.spec?.volumeName)}`,
      [{ label: 'PersistentVolumeClaim data', value: waiting }]);
  }
  const later = await createVolume(t, 'later', { storage: '4Gi', storageClassName: cls });
  // Kubernetes looks at waiting claims again every 15 seconds.
  const bound = await untilClaimPhase(t, namespace, 'data', 'Bound', 25_000);
  if (bound.spec?.volumeName !== later) t.fail(`the claim bound to ${later}`, `bound to ${bound.spec?.volumeName}`, [{ label: 'PersistentVolumeClaim data', value: bound }]);
});

check({
  id: 'volumes.binding.pod-waits-for-claim',
  title: 'A pod whose claim is missing or not bound stays Pending with PodScheduled False (Unschedulable), and is scheduled once its claim is bound',
  lab: 'volumes', points: 2,
  cites: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/plugins/volumebinding/volume_binding.go',
  concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const cls = storageClass();
  const pod = (name: string, claimName: string) => podManifest(name, webContainer({}, { volumeMounts: [{ name: 'data', mountPath: '/data' }] }), {
    terminationGracePeriodSeconds: 1, volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  });
  await createClaim(t, namespace, 'unbound', '1Gi', cls);

  const waits = async (name: string, claimName: string, phrase: string) => {
    const watch = new PodWatch(t, namespace, name);
    await createPod(t, namespace, pod(name, claimName));
    const isUnschedulable = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
    const seen = await watch.until(`Pod ${name} Pending with PodScheduled False, reason Unschedulable`, (p) => isUnschedulable(p) || !!p.spec?.nodeName, 20_000);
    if (seen.spec?.nodeName) t.fail(`Pod ${name} not bound to a node while its claim is not bound`, describePod(seen), [{ label: `Pod ${name}`, value: seen }]);
    const message: string = seen.status.conditions.find((c: any) => c.type === 'PodScheduled').message ?? '';
    if (!message.includes(phrase)) {
      t.fail(`the PodScheduled message to say "${phrase}"`, JSON.stringify(message), [{ label: `Pod ${name} status`, value: seen.status }]);
    }
    return watch;
  };
  const unboundWatch = await waits('unbound-claim', 'unbound', 'pod has unbound immediate PersistentVolumeClaims');
  await waits('missing-claim', 'nowhere', 'persistentvolumeclaim "nowhere" not found');

  await createVolume(t, 'for-pod', { storage: '1Gi', storageClassName: cls });
  await untilClaimPhase(t, namespace, 'unbound', 'Bound', 25_000);
  await unboundWatch.until('Pod unbound-claim bound to a node once its claim is Bound', (p) => !!p.spec?.nodeName, 20_000);
});
