// The node agent in a real one-node cluster (the harness, the reference API
// server, the fast profile): registration and heartbeats, a pod that runs and
// serves, logs through the API server, probes, env and volumes.

import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, createPod, getPod, httpGet, httpRequest, inCidr, podManifest, startCluster, waitFor, type TestCluster } from './cluster-support.ts';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startCluster();
}, 60_000);
afterAll(async () => {
  await tc?.stop();
}, 60_000);

describe('the node', () => {
  it('registers Ready, with its labels, addresses, capacity, pod CIDR and log port', async () => {
    const node = (await tc.api({ path: '/api/v1/nodes/node-1' })).json;
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': expect.any(String) });
    expect(node.spec.podCIDR).toMatch(/^127\.\d+\.1\.0\/24$/);
    expect(node.spec.podCIDRs).toEqual([node.spec.podCIDR]);
    expect(node.status.addresses).toEqual([{ type: 'InternalIP', address: expect.stringMatching(/^127\./) }, { type: 'Hostname', address: 'node-1' }]);
    expect(node.status.capacity).toMatchObject({ cpu: expect.stringMatching(/^\d+$/), memory: expect.stringMatching(/^\d+Ki$/), pods: '110' });
    expect(node.status.allocatable.pods).toBe('110');
    expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0-kubelab', containerRuntimeVersion: 'kubelab-process://1', operatingSystem: 'linux' });
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBeGreaterThan(0);
    const byType = Object.fromEntries(node.status.conditions.map((c: any) => [c.type, c]));
    expect(byType.Ready).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(byType.MemoryPressure).toMatchObject({ status: 'False', reason: 'KubeletHasSufficientMemory' });
    expect(byType.DiskPressure).toMatchObject({ status: 'False', reason: 'KubeletHasNoDiskPressure' });
    expect(byType.PIDPressure).toMatchObject({ status: 'False', reason: 'KubeletHasSufficientPID' });
  });

  it('renews its Lease in kube-node-lease and its status heartbeat', async () => {
    const lease = async () => (await tc.api({ path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1' })).json;
    const first = await waitFor('the lease', async () => (await lease())?.spec && (await lease()));
    expect(first.spec).toMatchObject({ holderIdentity: 'node-1', leaseDurationSeconds: 4 });
    expect(first.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(first.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-1' });
    await waitFor('a renewal', async () => (await lease()).spec.renewTime !== first.spec.renewTime, 5000);
    const heartbeat = async () => (await tc.api({ path: '/api/v1/nodes/node-1' })).json.status.conditions.find((c: any) => c.type === 'Ready');
    const before = await heartbeat();
    await waitFor('a newer heartbeat', async () => (await heartbeat()).lastHeartbeatTime !== before.lastHeartbeatTime, 5000);
    expect((await heartbeat()).lastTransitionTime).toBe(before.lastTransitionTime);
  });
});

describe('a pod', () => {
  it('runs, becomes Ready with an IP of the node, serves HTTP, and its log reaches kubectl logs', async () => {
    const created = await createPod(tc, podManifest('web', { ports: [{ containerPort: 8080 }] }));
    const pod = await waitFor('web Running and Ready', async () => {
      const p = await getPod(tc, 'web');
      return p?.status?.phase === 'Running' && condition(p, 'Ready') === 'True' ? p : undefined;
    });
    const node = (await tc.api({ path: '/api/v1/nodes/node-1' })).json;
    expect(inCidr(pod.status.podIP, node.spec.podCIDR)).toBe(true);
    expect(pod.status).toMatchObject({
      hostIP: node.status.addresses[0].address, podIPs: [{ ip: pod.status.podIP }], qosClass: 'BestEffort', startTime: expect.any(String),
    });
    expect(pod.status.containerStatuses[0]).toMatchObject({
      name: 'web', ready: true, started: true, restartCount: 0, image: 'kubelab/web:1',
      containerID: `kubelab://${created.metadata.uid}/web/0`, state: { running: { startedAt: expect.any(String) } },
    });
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'PodScheduled']) expect(condition(pod, type)).toBe('True');

    const answer = await waitFor('an HTTP answer', () => httpGet(`http://${pod.status.podIP}:8080/`));
    expect(JSON.parse(answer.text)).toMatchObject({ pod: 'web', version: '1', ip: pod.status.podIP });

    const logs = await tc.api({ path: '/api/v1/namespaces/default/pods/web/log' });
    expect(logs.status).toBe(200);
    expect(logs.headers['content-type']).toMatch(/^text\/plain/);
    expect(logs.text).toContain(`kubelab/web:1 listening on ${pod.status.podIP}:8080 as pod web`);
    const stamped = await tc.api({ path: '/api/v1/namespaces/default/pods/web/log?container=web&timestamps=true&tailLines=1' });
    expect(stamped.text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \S.*\n$/);
    const previous = await tc.api({ path: '/api/v1/namespaces/default/pods/web/log?previous=true' });
    expect(previous.status).toBe(400);
    expect(previous.json.message).toBe('previous terminated container "web" in pod "web" not found');
    const wrong = await tc.api({ path: '/api/v1/namespaces/default/pods/web/log?container=nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toBe('container nope is not valid for pod web');
  });

  it('answers pods/log for a pod no node runs yet, and asks which container when there are several', async () => {
    await createPod(tc, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unplaced' },
      spec: { nodeSelector: { 'example.com/none': 'x' }, containers: [{ name: 'a', image: 'kubelab/web:1' }, { name: 'b', image: 'kubelab/web:1' }] },
    });
    const which = await tc.api({ path: '/api/v1/namespaces/default/pods/unplaced/log' });
    expect(which.status).toBe(400);
    expect(which.json.message).toBe('a container name must be specified for pod unplaced, choose one of: [a b]');
    const pending = await tc.api({ path: '/api/v1/namespaces/default/pods/unplaced/log?container=b' });
    expect(pending.status).toBe(400);
    expect(pending.json).toMatchObject({ reason: 'BadRequest', message: 'container "b" in pod "unplaced" is waiting to start: ContainerCreating' });
  });

  it('follows a log: lines arrive as the container writes them', async () => {
    await createPod(tc, podManifest('chatty', { env: [{ name: 'LOG_EVERY_SECONDS', value: '0.2' }] }));
    await waitFor('chatty Running', async () => (await getPod(tc, 'chatty'))?.status?.phase === 'Running');
    const url = new URL('/api/v1/namespaces/default/pods/chatty/log?follow=true', tc.cluster.apiUrl);
    const text = await new Promise<string>((resolve, reject) => {
      const req = https.get(url, { headers: { Authorization: `Bearer ${tc.cluster.token}` }, ca: tc.cluster.caPem }, (res) => {
        let seen = '';
        res.setEncoding('utf8').on('data', (chunk) => {
          seen += chunk;
          if (seen.includes('log line 3')) {
            req.destroy();
            resolve(seen);
          }
        });
      });
      req.on('error', reject);
    });
    expect(text).toContain('log line 1 from pod chatty');
    expect(text).toContain('log line 3 from pod chatty');
  });

  it('gets its env: values, fieldRef, ConfigMap keys, $(VAR) in env and args, HOSTNAME', async () => {
    await tc.api({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { color: 'blue', 'greeting.txt': 'hello from a configmap\n' } } });
    await createPod(tc, podManifest('envy', {
      args: ['--port=$(MY_PORT)'],
      env: [
        { name: 'MY_PORT', value: '8081' },
        { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MY_APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
        { name: 'SENTENCE', value: '$(MY_POD) likes $(COLOR)' },
      ],
      envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }],
      volumeMounts: [{ name: 'scratch', mountPath: '/data' }, { name: 'config', mountPath: '/config' }],
    }, { volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'config', configMap: { name: 'settings' } }] }));
    const pod = await waitFor('envy Ready', async () => {
      const p = await getPod(tc, 'envy');
      return condition(p, 'Ready') === 'True' ? p : undefined;
    });
    const base = `http://${pod.status.podIP}:8081`;
    const env = JSON.parse((await waitFor('the env', () => httpGet(`${base}/env`))).text);
    expect(env).toMatchObject({
      MY_POD: 'envy', MY_IP: pod.status.podIP, MY_APP: 'envy', COLOR: 'blue', SENTENCE: 'envy likes blue', CFG_color: 'blue',
      HOSTNAME: 'envy', KUBELAB_POD_IP: pod.status.podIP, KUBELAB_IMAGE_TAG: '1',
    });
    expect(env.KUBELAB_TOKEN).toBeUndefined();
    expect(env.POD_NAME).toBeUndefined();
    expect(Object.keys(JSON.parse(env.KUBELAB_MOUNTS)).sort()).toEqual(['/config', '/data']);
    // The configMap volume holds a file per key; the emptyDir takes writes.
    expect((await httpGet(`${base}/files/config/greeting.txt`)).text).toBe('hello from a configmap\n');
    expect((await httpRequest('PUT', `${base}/files/data/note.txt`, 'kept')).status).toBe(201);
    expect((await httpGet(`${base}/files/data/note.txt`)).text).toBe('kept');
  });

  it('waits for a missing ConfigMap key with CreateContainerConfigError', async () => {
    await createPod(tc, podManifest('misconfigured', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }));
    const status = await waitFor('CreateContainerConfigError', async () => {
      const s = (await getPod(tc, 'misconfigured'))?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CreateContainerConfigError' ? s : undefined;
    });
    expect(status.state.waiting.message).toBe('configmap "absent" not found');
    expect((await getPod(tc, 'misconfigured')).status.phase).toBe('Pending');
  });

  it('waits in ContainerCreating with a FailedMount event until its secret exists, then sees the decoded keys as env and files', async () => {
    await createPod(tc, podManifest('vault', {
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
      volumeMounts: [{ name: 'creds', mountPath: '/creds' }],
    }, { volumes: [{ name: 'creds', secret: { secretName: 'creds' } }] }));
    const waiting = await waitFor('ContainerCreating', async () => {
      const p = await getPod(tc, 'vault');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating' ? p : undefined;
    });
    expect(waiting.status.phase).toBe('Pending');
    const events = await waitFor('a FailedMount event', async () => {
      const list = (await tc.api({ path: '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dvault,reason%3DFailedMount' })).json;
      return list.items.length ? list.items : undefined;
    });
    expect(events[0]).toMatchObject({ type: 'Warning', message: 'MountVolume.SetUp failed for volume "creds" : secret "creds" not found' });

    await tc.api({ method: 'POST', path: '/api/v1/namespaces/default/secrets', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'hunter2', 'id.txt': 'admin\n' } } });
    const pod = await waitFor('vault Ready', async () => {
      const p = await getPod(tc, 'vault');
      return condition(p, 'Ready') === 'True' ? p : undefined;
    });
    const base = `http://${pod.status.podIP}:8080`;
    expect((await waitFor('the env', () => httpGet(`${base}/env/PASSWORD`))).text).toBe('hunter2');
    expect((await httpGet(`${base}/files/creds/id.txt`)).text).toBe('admin\n');
    // The values reach the container and nothing else: no event names them.
    const all = (await tc.api({ path: '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dvault' })).json;
    expect(JSON.stringify(all.items)).not.toContain('hunter2');
  });

  it('runs init containers first, one by one', async () => {
    await createPod(tc, {
      ...podManifest('initialized', {}),
      spec: {
        nodeName: 'node-1',
        initContainers: [{ name: 'first', image: 'kubelab/busybox:1', args: ['echo', 'one'] }, { name: 'second', image: 'kubelab/busybox:1', args: ['sleep', '0.5'] }],
        containers: [{ name: 'web', image: 'kubelab/web:1' }],
      },
    });
    const seenInitializing = await waitFor('Initialized False', async () => {
      const p = await getPod(tc, 'initialized');
      return condition(p, 'Initialized') === 'False' ? p : undefined;
    });
    expect(seenInitializing.status.phase).toBe('Pending');
    const pod = await waitFor('initialized Running', async () => {
      const p = await getPod(tc, 'initialized');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    expect(condition(pod, 'Initialized')).toBe('True');
    expect(pod.status.initContainerStatuses.map((s: any) => [s.name, s.state.terminated?.reason])).toEqual([['first', 'Completed'], ['second', 'Completed']]);
    const logs = await tc.api({ path: '/api/v1/namespaces/default/pods/initialized/log?container=first' });
    expect(logs.text).toBe('one\n');
  });

  it('follows readiness and liveness probes: late ready, then killed and restarted when /healthz fails', async () => {
    await createPod(tc, podManifest('probed', {
      env: [{ name: 'READY_AFTER_SECONDS', value: '1.5' }, { name: 'FAIL_HEALTHZ_AFTER_SECONDS', value: '3' }],
      readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
    }));
    const running = await waitFor('probed Running', async () => {
      const p = await getPod(tc, 'probed');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    expect(condition(running, 'Ready')).toBe('False');
    await waitFor('probed Ready', async () => condition(await getPod(tc, 'probed'), 'Ready') === 'True');
    const restarted = await waitFor('a liveness restart', async () => {
      const s = (await getPod(tc, 'probed'))?.status?.containerStatuses?.[0];
      return s?.restartCount >= 1 ? s : undefined;
    }, 20_000);
    expect(restarted.lastState.terminated).toBeDefined();
    const events = (await tc.api({ path: '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=probed' })).json.items;
    const reasons = events.map((e: any) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Unhealthy', 'Killing', 'Started']));
    const unhealthy = events.find((e: any) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness') && e.message.includes('statuscode'));
    expect(unhealthy).toMatchObject({ type: 'Warning', message: 'Liveness probe failed: HTTP probe failed with statuscode: 503', source: { component: 'kubelet', host: 'node-1' } });
  });
});
