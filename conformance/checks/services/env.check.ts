// Service environment variables: a container starts with variables naming
// the cluster IP and ports of every Service of its namespace that existed
// when it started (and of the `kubernetes` Service). Sources:
// https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables
// and pkg/kubelet/envvars/envvars.go.

import { check } from '../../lib/check.ts';
import { podHttp, podNamespace, readyNodes, runPod } from '../pods/support.ts';
import { backendPod, createService, DOCS, serviceManifest } from './support.ts';

check({
  id: 'services.env.service-variables',
  title: 'A pod created after a Service gets its {SVC}_SERVICE_HOST, {SVC}_SERVICE_PORT and Docker-link variables; headless Services and later Services give none',
  lab: 'services', points: 3, cites: DOCS.env, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const svc = await createService(t, namespace, serviceManifest('redis-primary', {
    selector: { app: 'redis' }, ports: [{ name: 'redis', port: 6379, targetPort: 6379 }, { name: 'metrics', port: 9121 }],
  }));
  await createService(t, namespace, serviceManifest('headless-db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }));
  const ip = svc.spec!.clusterIP!;

  const { pod } = await runPod(t, namespace, backendPod('client', { app: 'client' }));
  await createService(t, namespace, serviceManifest('later', { selector: { app: 'later' }, ports: [{ port: 80 }] }));
  const res = await podHttp(t, pod, '/env');
  if (res.status !== 200) t.fail('GET /env to answer 200 with the environment', `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  const env: Record<string, string> = JSON.parse(res.text);

  const expected: Record<string, string> = {
    REDIS_PRIMARY_SERVICE_HOST: ip,
    REDIS_PRIMARY_SERVICE_PORT: '6379',
    REDIS_PRIMARY_SERVICE_PORT_REDIS: '6379',
    REDIS_PRIMARY_SERVICE_PORT_METRICS: '9121',
    REDIS_PRIMARY_PORT: `tcp://${ip}:6379`,
    REDIS_PRIMARY_PORT_6379_TCP: `tcp://${ip}:6379`,
    REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
    REDIS_PRIMARY_PORT_6379_TCP_ADDR: ip,
    REDIS_PRIMARY_PORT_9121_TCP: `tcp://${ip}:9121`,
  };
  const wrong = Object.entries(expected).filter(([k, v]) => env[k] !== v);
  const serviceVars = Object.fromEntries(Object.entries(env).filter(([k]) => /_SERVICE_|_PORT/.test(k)));
  if (wrong.length) {
    t.fail(wrong.map(([k, v]) => `${k}=${v}`).join(', '), wrong.map(([k]) => `${k}=${env[k] ?? '(unset)'}`).join(', '), [{ label: 'Service variables in the container', value: serviceVars }]);
  }
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) {
    t.fail('KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (the kubernetes Service of default)', 'unset', [{ label: 'Service variables in the container', value: serviceVars }]);
  }
  const extra = Object.keys(env).filter((k) => k.startsWith('HEADLESS_DB_') || k.startsWith('LATER_'));
  if (extra.length) {
    t.fail('no variables for the headless Service or for the Service created after the pod', extra.join(', '), [{ label: 'Service variables in the container', value: serviceVars }]);
  }
});
