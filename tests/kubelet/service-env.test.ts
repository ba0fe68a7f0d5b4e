// Service environment variables: which Services a pod sees, the variables
// each one gives (the redis-primary example of the Kubernetes docs), and how
// they sit under the container's own env.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiClient } from '../../reference/src/client/api-client.ts';
import { SERVICES, resourcePath } from '../../reference/src/client/paths.ts';
import { resolveEnv } from '../../reference/src/kubelet/pods/env.ts';
import { readServiceEnv, serviceEnvVars, servicesForPod } from '../../reference/src/kubelet/pods/service-env.ts';
import { startTestApiServer } from '../support/apiserver.ts';

function svc(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

const pod = (spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec });

describe('serviceEnvVars', () => {
  it('gives the variables of the Kubernetes docs example', () => {
    const env = serviceEnvVars([svc('shop', 'redis-primary', { clusterIP: '10.0.0.11', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] })]);
    expect(env).toEqual({
      REDIS_PRIMARY_SERVICE_HOST: '10.0.0.11',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_SERVICE_PORT_REDIS: '6379',
      REDIS_PRIMARY_PORT: 'tcp://10.0.0.11:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.0.0.11:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.0.0.11',
    });
  });

  it('names the first port SERVICE_PORT and every named port by its name; link variables for each port', () => {
    const env = serviceEnvVars([svc('shop', 'web', {
      clusterIP: '127.90.0.7',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics-port', port: 9100, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
    })]);
    expect(env.WEB_SERVICE_PORT).toBe('80');
    expect(env.WEB_SERVICE_PORT_METRICS_PORT).toBe('9100');
    expect(env.WEB_PORT).toBe('tcp://127.90.0.7:80');
    expect(env.WEB_PORT_9100_TCP_ADDR).toBe('127.90.0.7');
    expect(env.WEB_PORT_53_UDP).toBe('udp://127.90.0.7:53');
    expect(env.WEB_PORT_53_UDP_PROTO).toBe('udp');
  });
});

describe('servicesForPod', () => {
  const services = [
    svc('default', 'kubernetes', { clusterIP: '127.90.0.1', ports: [{ name: 'https', port: 443 }] }),
    svc('shop', 'web', { clusterIP: '127.90.0.2', ports: [{ port: 80 }] }),
    svc('shop', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    svc('shop', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
    svc('other', 'elsewhere', { clusterIP: '127.90.0.3', ports: [{ port: 80 }] }),
  ];
  const names = (list: KubeObject[]) => list.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();

  it('sees the Services of its namespace with a cluster IP, and the kubernetes Service of default', () => {
    expect(names(servicesForPod(pod(), services))).toEqual(['default/kubernetes', 'shop/web']);
  });

  it('sees only the kubernetes Service with enableServiceLinks: false', () => {
    expect(names(servicesForPod(pod({ enableServiceLinks: false }), services))).toEqual(['default/kubernetes']);
  });

  it('prefers a Service of its own namespace named kubernetes', () => {
    const own = svc('shop', 'kubernetes', { clusterIP: '127.90.0.9', ports: [{ port: 1 }] });
    expect(servicesForPod(pod(), [...services, own]).find((s) => s.metadata.name === 'kubernetes')).toBe(own);
    expect(servicesForPod(pod(), [own, ...services]).find((s) => s.metadata.name === 'kubernetes')).toBe(own);
  });
});

describe('with the container env', () => {
  const serviceEnv = serviceEnvVars([svc('shop', 'web', { clusterIP: '127.90.0.2', ports: [{ port: 80 }] })]);
  const sources = { pod: pod(), podIP: '127.200.0.1', hostIP: '127.10.0.1', configMaps: new Map(), secrets: new Map(), serviceEnv };

  it('puts the Service variables under the container env, which wins, and lets $(VAR) use them', () => {
    const env = resolveEnv({ env: [{ name: 'WEB_SERVICE_PORT', value: '8080' }, { name: 'URL', value: 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/' }] }, sources);
    expect(env.WEB_SERVICE_HOST).toBe('127.90.0.2');
    expect(env.WEB_SERVICE_PORT).toBe('8080');
    expect(env.URL).toBe('http://127.90.0.2:8080/');
  });
});

describe('readServiceEnv', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  let client: ApiClient;
  beforeAll(async () => {
    api = await startTestApiServer();
    client = new ApiClient({ ...api.endpoint, userAgent: 'test' });
  });
  afterAll(async () => {
    client.close();
    await api.stop();
  });

  it('reads the Services that exist now, from the API', async () => {
    await client.create(resourcePath(SERVICES, 'default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'front-end' }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    const env = await readServiceEnv(client, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: {} });
    expect(env.KUBERNETES_SERVICE_HOST).toMatch(/^127\.97\.0\.1$/);
    expect(env.KUBERNETES_SERVICE_PORT_HTTPS).toBe('443');
    expect(env.FRONT_END_SERVICE_PORT_HTTP).toBe('8080');
    const elsewhere = await readServiceEnv(client, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'kube-system' }, spec: {} });
    expect(Object.keys(elsewhere).filter((k) => k.startsWith('FRONT_END'))).toEqual([]);
    expect(elsewhere.KUBERNETES_SERVICE_PORT).toBe('443');
  });
});
