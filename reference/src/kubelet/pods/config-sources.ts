// ConfigMaps and Secrets: the two kinds whose keys a pod reads, as env variables
// (env[].valueFrom, envFrom[]) and as files (configMap and secret volumes).
//
// The kubelet treats them alike (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables,
// pkg/volume/configmap and pkg/volume/secret). What differs is collected in
// CONFIG_KINDS: where each lives, the pod spec's field names for it, the words of
// its messages, and how its values are kept (a ConfigMap's `data` is text and its
// `binaryData` base64; a Secret's `data` is base64 of any bytes).
//
// A Secret's values are decoded only here and go only into the container's
// environment or its volume files: never into a message, an event or a log line.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound, type ApiClient } from '../../client/api-client.ts';
import { CONFIGMAPS, SECRETS, resourcePath, type ResourceRef } from '../../client/paths.ts';

export type ConfigKind = 'ConfigMap' | 'Secret';

interface ConfigKindInfo {
  resource: ResourceRef;
  /** envFrom[].<envFrom> names one to read every key of. */
  envFrom: 'configMapRef' | 'secretRef';
  /** env[].valueFrom.<keyRef> names one key of one. */
  keyRef: 'configMapKeyRef' | 'secretKeyRef';
  /** volumes[].<volume> makes its keys files; <volume>.<nameField> says which one. */
  volume: 'configMap' | 'secret';
  nameField: 'name' | 'secretName';
  /** The volume's folder under the pod dir, named after the volume plugin as in Kubernetes. */
  pluginDir: string;
  /** How the kubelet says it does not exist (the API's NotFound error for the resource). */
  notFound: (name: string) => string;
  /** How the volume plugin says an item names a key that is not there (MakePayload). */
  missingItemKey: (key: string) => string;
}

export const CONFIG_KINDS: Record<ConfigKind, ConfigKindInfo> = {
  ConfigMap: {
    resource: CONFIGMAPS, envFrom: 'configMapRef', keyRef: 'configMapKeyRef', volume: 'configMap', nameField: 'name',
    pluginDir: 'kubernetes.io~configmap',
    notFound: (name) => `configmap "${name}" not found`,
    missingItemKey: (key) => `configmap references non-existent config key: ${key}`,
  },
  Secret: {
    resource: SECRETS, envFrom: 'secretRef', keyRef: 'secretKeyRef', volume: 'secret', nameField: 'secretName',
    pluginDir: 'kubernetes.io~secret',
    notFound: (name) => `secret "${name}" not found`,
    missingItemKey: (key) => `references non-existent secret key: ${key}`,
  },
};

export const KINDS: ConfigKind[] = ['ConfigMap', 'Secret'];

/** The ConfigMap or Secret, or undefined when it does not exist. */
export async function readConfigObject(client: ApiClient, kind: ConfigKind, namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(resourcePath(CONFIG_KINDS[kind].resource, namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const fromBase64 = (map: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(map ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));

/** The keys as env variables see them: text. A ConfigMap's binaryData is for files only (makeEnvironmentVariables reads `data`). */
export function envValues(kind: ConfigKind, obj: KubeObject): Record<string, string> {
  if (kind === 'ConfigMap') return { ...obj.data };
  return Object.fromEntries(Object.entries(fromBase64(obj.data)).map(([key, bytes]) => [key, bytes.toString('utf8')]));
}

/** The keys as volume files hold them: bytes, a ConfigMap's binaryData included. */
export function fileContents(kind: ConfigKind, obj: KubeObject): Record<string, Buffer> {
  if (kind === 'Secret') return fromBase64(obj.data);
  const text = Object.fromEntries(Object.entries<string>(obj.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'utf8')]));
  return { ...text, ...fromBase64(obj.binaryData) };
}

/** Reads each named object of one kind for env: name → its env values, or undefined when it is missing. */
export async function readEnvValues(client: ApiClient, kind: ConfigKind, namespace: string, names: string[]): Promise<Map<string, Record<string, string> | undefined>> {
  const found = new Map<string, Record<string, string> | undefined>();
  for (const name of names) {
    const obj = await readConfigObject(client, kind, namespace, name);
    found.set(name, obj && envValues(kind, obj));
  }
  return found;
}
