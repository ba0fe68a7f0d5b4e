// Endpoints: for a Service with a selector, the control plane keeps an
// Endpoints object of the same name listing the pods behind it: ready pods in
// `addresses`, pods that run but are not ready in `notReadyAddresses`, each
// port with the Service's targetPort resolved in the pod. Sources:
// https://kubernetes.io/docs/concepts/services-networking/service/ and
// pkg/controller/endpoint/endpoints_controller.go.

import { check } from '../../lib/check.ts';
import { plain, type CheckContext } from '../../lib/context.ts';
import { podNamespace, readyNodes } from '../pods/support.ts';
import {
  backendPod, createService, DOCS, endpointIPs, ipsOf, readEndpoints, runBackends, runUnreadyBackend, serviceManifest, setReadiness, sleep, untilEndpoints,
} from './support.ts';

check({
  id: 'services.endpoints.ready-pods',
  title: "A Service's Endpoints list its ready pods in addresses and its unready pods in notReadyAddresses, and follow a pod that turns unready",
  lab: 'services', points: 4, cites: DOCS.endpointsController, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'shop' };
  const [ready1, ready2] = await runBackends(t, namespace, [backendPod('shop-1', labels), backendPod('shop-2', labels)]);
  const unready = await runUnreadyBackend(t, namespace, 'shop-unready', labels);
  await runBackends(t, namespace, [backendPod('other', { app: 'other' })]); // matched by no selector here
  await createService(t, namespace, serviceManifest('shop', { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }));

  const ep = await untilEndpoints(t, namespace, 'shop', ipsOf([ready1, ready2]), ipsOf([unready]));
  // Each address says which pod it is and where it runs.
  for (const pod of [ready1, ready2, unready]) {
    const address = (ep.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).find((a) => a.ip === pod.status.podIP);
    const ref = address?.targetRef;
    if (ref?.kind !== 'Pod' || ref.name !== pod.metadata.name || ref.namespace !== namespace || ref.uid !== pod.metadata.uid || address?.nodeName !== pod.spec.nodeName) {
      t.fail(`the address of pod ${pod.metadata.name} with nodeName ${pod.spec.nodeName} and targetRef {kind: Pod, name, namespace, uid} of the pod`,
        JSON.stringify(address ?? null), [{ label: 'Endpoints', value: plain(ep) }]);
    }
  }
  const ports = (ep.subsets ?? []).map((s) => JSON.stringify(s.ports));
  if (ports.some((p) => p !== JSON.stringify([{ name: 'http', port: 8080, protocol: 'TCP' }]))) {
    t.fail('every subset with ports [{name: http, port: 8080, protocol: TCP}]', ports.join(' '), [{ label: 'Endpoints', value: plain(ep) }]);
  }

  // The readiness probe of shop-1 starts failing: it moves to notReadyAddresses.
  await setReadiness(t, ready1, false);
  await untilEndpoints(t, namespace, 'shop', ipsOf([ready2]), ipsOf([ready1, unready]));
  await setReadiness(t, ready1, true);
  await untilEndpoints(t, namespace, 'shop', ipsOf([ready1, ready2]), ipsOf([unready]));
});

check({
  id: 'services.endpoints.named-target-port',
  title: 'A targetPort given by name is resolved in each pod: pods may use different numbers, and a pod without that port name is left out',
  lab: 'services', points: 3, cites: `${DOCS.service}#field-spec-ports`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'named' };
  const [on8080, on9090] = await runBackends(t, namespace, [
    backendPod('named-8080', labels),
    backendPod('named-9090', labels, { port: 9090 }),
  ]);
  // Same labels, but its container port is called `web`, not `http`.
  const other = backendPod('named-other', labels);
  other.spec.containers[0].ports = [{ name: 'web', containerPort: 8080 }];
  const [unnamed] = await runBackends(t, namespace, [other]);
  await createService(t, namespace, serviceManifest('named', { selector: labels, ports: [{ name: 'web', port: 80, targetPort: 'http' }] }));

  const ep = await untilEndpoints(t, namespace, 'named', ipsOf([on8080, on9090]));
  const portOf = (ip: string) => (ep.subsets ?? []).find((s) => (s.addresses ?? []).some((a) => a.ip === ip))?.ports?.map((p) => p.port);
  const seen = { [on8080.metadata.name]: portOf(on8080.status.podIP), [on9090.metadata.name]: portOf(on9090.status.podIP) };
  if (JSON.stringify(seen[on8080.metadata.name]) !== '[8080]' || JSON.stringify(seen[on9090.metadata.name]) !== '[9090]') {
    t.fail(`pod ${on8080.metadata.name} on port 8080 and pod ${on9090.metadata.name} on port 9090 (each pod's own "http" port)`,
      JSON.stringify(seen), [{ label: 'Endpoints', value: plain(ep) }]);
  }
  if (endpointIPs(ep, 'notReadyAddresses').includes(unnamed.status.podIP)) {
    t.fail(`pod ${unnamed.metadata.name}, which has no port named http, in neither list`, 'it is in notReadyAddresses', [{ label: 'Endpoints', value: plain(ep) }]);
  }
});

check({
  id: 'services.endpoints.headless',
  title: 'A headless Service (clusterIP: None) gets no cluster IP, and its Endpoints still list its pods',
  lab: 'services', points: 2, cites: DOCS.headless, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'db' };
  const [pod] = await runBackends(t, namespace, [backendPod('db-0', labels)]);
  const svc = await createService(t, namespace, serviceManifest('db', { clusterIP: 'None', selector: labels, ports: [{ name: 'http', port: 8080 }] }));
  if (svc.spec?.clusterIP !== 'None' || (svc.spec?.clusterIPs ?? ['None']).some((ip) => ip !== 'None')) {
    t.fail('spec.clusterIP "None" (and clusterIPs ["None"] or none)', JSON.stringify({ clusterIP: svc.spec?.clusterIP, clusterIPs: svc.spec?.clusterIPs }), [{ label: 'Service', value: plain(svc) }]);
  }
  await untilEndpoints(t, namespace, 'db', ipsOf([pod]));
});

/**
 * Waits until the control plane has written an Endpoints object for a Service
 * with a selector: it does so even when no pod matches (syncService creates the
 * Endpoints, with no subsets, when none exists). A check that expects the
 * control plane to leave something alone first sees it act here, so that
 * "nothing changed" cannot pass against a cluster where nothing acts at all.
 */
async function untilControlPlaneActs(t: CheckContext, namespace: string, name: string): Promise<void> {
  await createService(t, namespace, serviceManifest(name, { selector: { app: `${name}-none` }, ports: [{ name: 'http', port: 8080 }] }));
  await t.eventually(`an Endpoints object ${name} (no subsets: no pod matches) for Service ${name}, which has a selector`,
    async () => ((await readEndpoints(t, namespace, name)) ? true : undefined), { seen: () => `no Endpoints named ${name}` });
}

check({
  id: 'services.endpoints.without-selector',
  title: 'A Service without a selector gets no Endpoints from the control plane; Endpoints written for it by hand are left as they are',
  // The control: pkg/controller/endpoint/endpoints_controller.go syncService creates an empty Endpoints for a Service
  // with a selector, and returns early ("services without a selector receive no endpoints from this controller") without one.
  lab: 'services', points: 2, cites: `${DOCS.withoutSelectors}; ${DOCS.endpointsController}`, concurrent: true,
}, async (t) => {
  const namespace = await t.namespace();
  await createService(t, namespace, serviceManifest('outside', { ports: [{ name: 'http', port: 8080 }] }));
  await untilControlPlaneActs(t, namespace, 'watched-before');
  await sleep(2000);
  const auto = await readEndpoints(t, namespace, 'outside');
  if (auto && (auto.subsets ?? []).length > 0) t.fail('no Endpoints (or an empty one) for a Service without a selector', JSON.stringify(plain(auto)));

  const subsets = [{ addresses: [{ ip: '127.9.9.9' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }];
  t.step('write Endpoints outside by hand');
  if (auto) await t.core.replaceNamespacedEndpoints({ name: 'outside', namespace, body: { ...auto, subsets } });
  else await t.core.createNamespacedEndpoints({ namespace, body: { metadata: { name: 'outside' }, subsets } });
  // The control plane acts on what came after the hand-written Endpoints, and has left them alone.
  await untilControlPlaneActs(t, namespace, 'watched-after');
  await sleep(2000);
  const after = await readEndpoints(t, namespace, 'outside');
  if (JSON.stringify(endpointIPs(after)) !== '["127.9.9.9"]') t.fail('the hand-written address 127.9.9.9 kept', JSON.stringify(plain(after)));
});

check({
  id: 'services.endpoints.deleted-with-service',
  title: "Deleting a Service deletes its Endpoints",
  lab: 'services', points: 1, cites: DOCS.endpointsController, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'gone' };
  const [pod] = await runBackends(t, namespace, [backendPod('gone-1', labels)]);
  await createService(t, namespace, serviceManifest('gone', { selector: labels, ports: [{ name: 'http', port: 8080 }] }));
  await untilEndpoints(t, namespace, 'gone', ipsOf([pod]));
  t.step('delete Service gone');
  await t.core.deleteNamespacedService({ name: 'gone', namespace });
  let last: unknown;
  await t.eventually('Endpoints gone to be deleted', async () => {
    last = await readEndpoints(t, namespace, 'gone');
    return last ? undefined : true;
  }, { seen: () => `Endpoints still there: ${JSON.stringify(plain(last))}` });
});
