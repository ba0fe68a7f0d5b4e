// Selectors: which objects a list returns for ?labelSelector= and ?fieldSelector=.
// Label selectors: equality (=, ==, !=) and set-based (in, notin, key, !key);
// `!=` and `notin` also match objects without the key. Field selectors:
// metadata.name for every kind, spec.nodeName and status.phase for pods; a field a
// kind does not support is a 400.
//
// Each check lists four pods of its own namespace:
//   a: app=web, tier=front     b: app=web, tier=back     c: app=db     d: no labels

import { check } from '../../lib/check.ts';
import { plain, type CheckContext } from '../../lib/context.ts';
import { namesOf, podManifest } from './support.ts';

const PODS: Record<string, Record<string, string> | undefined> = {
  a: { app: 'web', tier: 'front' },
  b: { app: 'web', tier: 'back' },
  c: { app: 'db' },
  d: undefined,
};

async function createPods(t: CheckContext): Promise<string> {
  const namespace = await t.namespace();
  t.step('create pods a (app=web,tier=front), b (app=web,tier=back), c (app=db), d (no labels)');
  await Promise.all(Object.entries(PODS).map(([name, labels]) => t.core.createNamespacedPod({ namespace, body: podManifest(name, namespace, labels) })));
  return namespace;
}

async function expectSelected(t: CheckContext, namespace: string, selector: { labelSelector?: string; fieldSelector?: string }, expected: string[]): Promise<void> {
  const query = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join('&');
  t.step(`list pods with ${query}`);
  const list = await t.core.listNamespacedPod({ namespace, ...selector });
  const seen = namesOf(list);
  if (JSON.stringify(seen) !== JSON.stringify([...expected].sort())) {
    t.fail(`${query} to select pods [${expected.join(', ')}]`, `[${seen.join(', ')}]`,
      [{ label: 'pods and their labels', value: Object.fromEntries(Object.entries(PODS).map(([n, l]) => [n, l ?? {}])) }]);
  }
}

check({
  id: 'api.selectors.label-equality',
  title: 'A list with an equality label selector (app=web, app==web, app!=web, app=web,tier=front) returns exactly the matching objects; != also matches objects without the label',
  lab: 'api', points: 2,
  cites: 'kubernetes.io/docs/concepts/overview/working-with-objects/labels/ (Equality-based requirement)',
}, async (t) => {
  const namespace = await createPods(t);
  await expectSelected(t, namespace, { labelSelector: 'app=web' }, ['a', 'b']);
  await expectSelected(t, namespace, { labelSelector: 'app==web' }, ['a', 'b']);
  await expectSelected(t, namespace, { labelSelector: 'app!=web' }, ['c', 'd']);
  await expectSelected(t, namespace, { labelSelector: 'app=web,tier=front' }, ['a']);
  await expectSelected(t, namespace, { labelSelector: 'app=cache' }, []);
});

check({
  id: 'api.selectors.label-set',
  title: 'A list with a set-based label selector (in, notin, key, !key) returns exactly the matching objects; notin also matches objects without the label',
  lab: 'api', points: 2,
  cites: 'kubernetes.io/docs/concepts/overview/working-with-objects/labels/ (Set-based requirement)',
}, async (t) => {
  const namespace = await createPods(t);
  await expectSelected(t, namespace, { labelSelector: 'app in (web,db)' }, ['a', 'b', 'c']);
  await expectSelected(t, namespace, { labelSelector: 'app notin (web)' }, ['c', 'd']);
  await expectSelected(t, namespace, { labelSelector: 'tier' }, ['a', 'b']);
  await expectSelected(t, namespace, { labelSelector: '!tier' }, ['c', 'd']);
  await expectSelected(t, namespace, { labelSelector: 'app in (web),tier notin (front)' }, ['b']);
});

check({
  id: 'api.selectors.fields',
  title: 'A list with a field selector returns exactly the matching objects: metadata.name (= and !=), spec.nodeName= (pods not yet on a node), status.phase',
  lab: 'api', points: 2,
  cites: 'kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/; k8s.io/kubernetes/pkg/apis/core/v1/conversion.go (pod field labels)',
}, async (t) => {
  const namespace = await createPods(t);
  await expectSelected(t, namespace, { fieldSelector: 'metadata.name=a' }, ['a']);
  await expectSelected(t, namespace, { fieldSelector: 'metadata.name!=a' }, ['b', 'c', 'd']);
  await expectSelected(t, namespace, { fieldSelector: 'spec.nodeName=' }, ['a', 'b', 'c', 'd']);
  await expectSelected(t, namespace, { fieldSelector: 'status.phase=Pending' }, ['a', 'b', 'c', 'd']);
  await expectSelected(t, namespace, { fieldSelector: 'status.phase=Running' }, []);
  await expectSelected(t, namespace, { fieldSelector: 'metadata.name!=a,status.phase=Pending', labelSelector: 'app=web' }, ['b']);
});

check({
  id: 'api.selectors.unsupported-field',
  title: 'A field selector on a field the kind does not support fails with 400 BadRequest',
  lab: 'api', points: 1,
  cites: 'kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/ (Supported fields)',
}, async (t) => {
  const namespace = await t.namespace();
  for (const fieldSelector of ['spec.containers.image=nginx', 'metadata.labels=x']) {
    t.step(`list pods with fieldSelector=${fieldSelector}`);
    const status = await t.expectError(`a list with fieldSelector=${fieldSelector}`, t.core.listNamespacedPod({ namespace, fieldSelector }), { code: 400, reason: 'BadRequest' });
    if (status.kind !== 'Status') t.fail('a Status body', JSON.stringify(status), [{ label: 'response', value: plain(status) }]);
  }
});
