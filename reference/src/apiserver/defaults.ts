// Defaulting: the values the API server fills in when a client leaves a field out.
//
// Kubernetes applies defaults on every write and stores them, so a GET shows them
// explicitly. The values below come from pkg/apis/core/v1/defaults.go and
// pkg/apis/apps/v1/defaults.go in kubernetes/kubernetes.

import type { KubeObject } from '../api/types.ts';

/** `nginx`, `nginx:latest` → Always; any other tag or a digest → IfNotPresent (SetDefaults_Container). */
function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.split('/').pop() ?? image;
  const tag = lastPart.includes(':') ? lastPart.split(':').pop() : '';
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: any): void {
  if (!c || typeof c !== 'object') return;
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : []) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe || typeof probe !== 'object') continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (probe.httpGet) {
      probe.httpGet.path ??= '/';
      probe.httpGet.scheme ??= 'HTTP';
    }
  }
}

/** SetDefaults_PodSpec and friends. */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.initContainers ?? []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) defaultContainer(c);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (v?.emptyDir === undefined && v?.hostPath === undefined && v?.persistentVolumeClaim === undefined &&
        v?.configMap === undefined && v?.secret === undefined && v?.name) {
      v.emptyDir = {}; // a volume with no source is an emptyDir (SetDefaults_Volume)
    }
    if (v?.hostPath) v.hostPath.type ??= '';
    // Files of these volumes are rw-r--r-- unless the pod says otherwise (SetDefaults_SecretVolumeSource and friends).
    if (v?.secret) v.secret.defaultMode ??= 0o644;
    if (v?.configMap) v.configMap.defaultMode ??= 0o644;
    if (v?.downwardAPI) v.downwardAPI.defaultMode ??= 0o644;
  }
}

function defaultPod(pod: KubeObject): void {
  defaultPodSpec(pod.spec);
}

function defaultTemplate(obj: KubeObject): void {
  obj.spec ??= {};
  // Labels default from the template when a workload sets none (SetDefaults_ReplicaSet).
  defaultPodSpec(obj.spec.template?.spec);
}

function defaultReplicaSet(rs: KubeObject): void {
  defaultTemplate(rs);
  rs.spec.replicas ??= 1;
}

function defaultDeployment(d: KubeObject): void {
  defaultTemplate(d);
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

function defaultService(svc: KubeObject): void {
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ??= 'Cluster';
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port; // targetPort defaults to port (SetDefaults_Service)
  }
}

function defaultNamespace(ns: KubeObject): void {
  // Every namespace carries its own name as a label (SetDefaults_Namespace, since v1.21).
  ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name as string };
  ns.spec ??= {}; // spec.finalizers gets "kubernetes" on create (registry.ts), not as a default
}

function defaultPersistentVolume(pv: KubeObject): void {
  pv.spec ??= {};
  pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  if (pv.spec.hostPath) pv.spec.hostPath.type ??= ''; // SetDefaults_HostPathVolumeSource, as in pods
}

function defaultPersistentVolumeClaim(pvc: KubeObject): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
}

/**
 * SetDefaults_Secret, then what Kubernetes does when it converts a v1 Secret to its
 * internal form (Convert_v1_Secret_To_core_Secret in pkg/apis/core/v1/conversion.go):
 * stringData is a write-only convenience, so each of its keys is encoded into data,
 * winning over the same key there, and stringData itself is never stored.
 */
function defaultSecret(secret: KubeObject): void {
  if (!secret.type) secret.type = 'Opaque';
  const stringData = secret.stringData;
  delete secret.stringData;
  if (!stringData || typeof stringData !== 'object' || Array.isArray(stringData)) return;
  const data = secret.data && typeof secret.data === 'object' ? secret.data : {};
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  secret.data = data;
}

const DEFAULTERS: Record<string, (obj: KubeObject) => void> = {
  Pod: defaultPod,
  ReplicaSet: defaultReplicaSet,
  Deployment: defaultDeployment,
  Service: defaultService,
  Namespace: defaultNamespace,
  PersistentVolume: defaultPersistentVolume,
  PersistentVolumeClaim: defaultPersistentVolumeClaim,
  Secret: defaultSecret,
};

/** Fills in defaults in place. */
export function applyDefaults(obj: KubeObject): void {
  dropEmptyMetadata(obj);
  DEFAULTERS[obj.kind]?.(obj);
}

/**
 * ObjectMeta's maps and lists are `omitempty` in Kubernetes' Go types
 * (k8s.io/apimachinery/pkg/apis/meta/v1/types.go): an empty one is neither
 * stored nor shown. A pod whose last owner let it go has no ownerReferences
 * field at all, so `kubectl get -o jsonpath='{.metadata.ownerReferences[0]}'` says so.
 */
function dropEmptyMetadata(obj: KubeObject): void {
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (!metadata) return;
  for (const field of ['labels', 'annotations', 'ownerReferences', 'finalizers']) {
    const value = metadata[field];
    if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) delete metadata[field];
  }
}

/**
 * The status a new object starts with: Kubernetes resets status on create
 * (PrepareForCreate) and then some kinds begin in a known phase.
 */
export function initialStatus(obj: KubeObject): any {
  switch (obj.kind) {
    case 'Pod': return { phase: 'Pending', qosClass: qosClass(obj.spec) };
    case 'Namespace': return { phase: 'Active' };
    case 'PersistentVolume': return { phase: 'Pending' };
    case 'PersistentVolumeClaim': return { phase: 'Pending' };
    case 'Service': return { loadBalancer: {} };
    case 'Deployment': case 'ReplicaSet': return {};
    // The four counts are not omitempty in policy/v1: a new budget shows zeros until the disruption controller runs.
    case 'PodDisruptionBudget': return { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    case 'Node': return obj.status ?? {}; // node agents register with their status
    default: return obj.status;
  }
}

/** Guaranteed, Burstable or BestEffort (pkg/apis/core/v1/helper/qos). */
export function qosClass(spec: any): string {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      const limit = lim[r];
      const request = req[r] ?? limit;
      if (limit === undefined || String(request) !== String(limit)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
