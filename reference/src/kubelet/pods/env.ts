// A container's environment, as the kubelet computes it
// (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables):
//
// 1. envFrom, in order: every key of a ConfigMap or Secret (with its prefix);
// 2. env, in order: `value` with $(VAR) expanded from the variables declared
//    before it, or `valueFrom`: a field of the pod (the downward API's
//    fieldRef) or a key of a ConfigMap or Secret;
// a later definition of a name replaces an earlier one;
// 3. under both, the Service variables (service-env.ts), which $(VAR) sees too.
//
// Then the process runtime's layers around it (conformance/images/README.md,
// "The environment"): PATH, HOSTNAME and the image's own env below, the pod IP
// and the mounts on top.

import type { KubeObject } from '../../api/types.ts';
import { expand, lookupIn } from './expansion.ts';
import { CONFIG_KINDS, KINDS, type ConfigKind } from './config-sources.ts';

/** A reference the container cannot start without: the kubelet's CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvSources {
  pod: KubeObject;
  podIP: string;
  hostIP: string;
  /**
   * The ConfigMaps and Secrets of the pod's namespace that the container refers to,
   * values decoded to text: name → key → value, or undefined when missing.
   */
  configMaps: Map<string, Record<string, string> | undefined>;
  secrets: Map<string, Record<string, string> | undefined>;
  /** The Service variables (service-env.ts): $(VAR) can use them; the container's own variables win. */
  serviceEnv?: Record<string, string>;
}

function loaded(sources: EnvSources, kind: ConfigKind): Map<string, Record<string, string> | undefined> {
  return kind === 'ConfigMap' ? sources.configMaps : sources.secrets;
}

/** The names of the ConfigMaps (or Secrets) a container's env and envFrom read, to fetch before resolving. */
export function referencedNames(container: any, kind: ConfigKind): string[] {
  const { envFrom, keyRef } = CONFIG_KINDS[kind];
  const names = new Set<string>();
  for (const from of container.envFrom ?? []) if (from[envFrom]?.name) names.add(from[envFrom].name);
  for (const env of container.env ?? []) if (env.valueFrom?.[keyRef]?.name) names.add(env.valueFrom[keyRef].name);
  return [...names];
}

/** C_IDENTIFIER-ish: what Kubernetes accepts as an env var name from envFrom (IsEnvVarName). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The value of a downward API field (pkg/kubelet/kubelet_pods.go podFieldSelectorRuntimeValue
 * and pkg/fieldpath ExtractFieldPathAsString).
 */
export function fieldRefValue(fieldPath: string, sources: Pick<EnvSources, 'pod' | 'podIP' | 'hostIP'>): string {
  const { pod } = sources;
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (keyed) return (keyed[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[keyed[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs': return sources.podIP;
    case 'status.hostIP':
    case 'status.hostIPs': return sources.hostIP;
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
}

/** The keys of a referenced ConfigMap or Secret; a missing one is an error unless the reference is optional. */
function keysOf(sources: EnvSources, kind: ConfigKind, ref: { name: string; optional?: boolean }): Record<string, string> | undefined {
  const data = loaded(sources, kind).get(ref.name);
  if (data === undefined && !ref.optional) throw new ContainerConfigError(CONFIG_KINDS[kind].notFound(ref.name));
  return data;
}

/** Which of the two kinds an envFrom entry or a valueFrom names, if either. */
function kindOf(from: any, field: 'envFrom' | 'keyRef'): ConfigKind | undefined {
  return KINDS.find((kind) => from[CONFIG_KINDS[kind][field]]);
}

// LAB(pods) begin: a container's env from envFrom and env (makeEnvironmentVariables)
/** The variables the pod spec gives a container, resolved. Throws ContainerConfigError for a missing reference. */
export function resolveEnv(container: any, sources: EnvSources): Record<string, string> {
  const env: Record<string, string> = {};
  const namespace = sources.pod.metadata.namespace;

  for (const from of container.envFrom ?? []) {
    const kind = kindOf(from, 'envFrom');
    if (!kind) continue;
    const data = keysOf(sources, kind, from[CONFIG_KINDS[kind].envFrom]) ?? {};
    for (const [key, value] of Object.entries(data)) {
      const name = (from.prefix ?? '') + key;
      if (ENV_NAME.test(name)) env[name] = value; // invalid names are skipped, as Kubernetes does
    }
  }

  for (const item of container.env ?? []) {
    const from = item.valueFrom;
    if (!from) {
      // $(VAR) sees only what was declared before this variable (and envFrom, and the Service variables).
      env[item.name] = expand(item.value ?? '', lookupIn(env, sources.serviceEnv ?? {}));
    } else if (from.fieldRef) {
      env[item.name] = fieldRefValue(from.fieldRef.fieldPath, sources);
    } else {
      const kind = kindOf(from, 'keyRef');
      if (!kind) continue;
      const ref = from[CONFIG_KINDS[kind].keyRef];
      const data = keysOf(sources, kind, ref);
      if (data && Object.hasOwn(data, ref.key)) env[item.name] = data[ref.key];
      else if (data && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}`);
    }
  }
  return { ...sources.serviceEnv, ...env };
}
// LAB end

/** A container's command or args with $(VAR) expanded from its environment (ExpandContainerCommandAndArgs). */
export function expandAll(list: string[] | undefined, env: Record<string, string>): string[] | undefined {
  return list?.map((s) => expand(s, lookupIn(env)));
}

export interface ProcessEnvParts {
  /** spec.hostname, or the pod's name. */
  hostname: string;
  imageTag: string;
  imageEnv: Record<string, string>;
  /** resolveEnv's result. */
  containerEnv: Record<string, string>;
  podIP: string;
  /** mountPath → real folder. */
  mounts: Record<string, string>;
}

/** The process's whole environment, in the catalogue's order: later layers replace earlier ones. */
export function processEnv(parts: ProcessEnvParts): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOSTNAME: parts.hostname,
    KUBELAB_IMAGE_TAG: parts.imageTag,
    ...parts.imageEnv,
    ...parts.containerEnv,
    // What a real container learns from its namespaces: the pod cannot override these.
    KUBELAB_POD_IP: parts.podIP,
    KUBELAB_MOUNTS: JSON.stringify(parts.mounts),
  };
}
