// A pod's volumes: folders on the node that its containers share.
//
// Kubernetes' kubelet mounts each volume under /var/lib/kubelet/pods/<uid>/volumes/
// and the runtime binds it into the containers at their mountPaths. Here every
// volume is a folder of the node dir, and the containers learn where each
// mountPath really lives through KUBELAB_MOUNTS:
//
//   emptyDir               <node dir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>
//                          made with the pod, kept across container restarts, removed with the pod
//   configMap, secret      <node dir>/pods/<uid>/volumes/kubernetes.io~configmap/<name> (~secret)
//                          a file per key, rewritten on every sync (updates reach running pods);
//                          a Secret's files hold its decoded bytes
//   downwardAPI            <node dir>/pods/<uid>/volumes/kubernetes.io~downward-api/<name>
//   hostPath               <node dir>/hostpath/<path>: the node's "/" is confined to the node dir,
//                          so a pod cannot write the machine's files; never removed
//   persistentVolumeClaim  the claim's bound PersistentVolume, when it is a hostPath or local volume:
//                          the folder of that path on the machine, shared by all nodes (claim-volumes.ts)

import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { fieldRefValue } from './env.ts';
import { CONFIG_KINDS, KINDS, fileContents, readConfigObject, type ConfigKind } from './config-sources.ts';
import { setUpClaimVolume } from './claim-volumes.ts';

/** A volume that cannot be set up: the pod waits in ContainerCreating with a FailedMount event. */
export class VolumeError extends Error {}

/** A container path that no mount holds (workingDir): CreateContainerError. */
export class ContainerCreateError extends Error {
  readonly reason = 'CreateContainerError';
}

export function podDir(nodeDir: string, podUid: string): string {
  return join(nodeDir, 'pods', podUid);
}

/** `/data/../x` cannot climb out: normalizing an absolute path stops at its root. */
function confined(root: string, path: string): string {
  return join(root, posix.normalize(`/${path}`));
}

export interface VolumeContext {
  client: ApiClient;
  nodeDir: string;
  podIP: string;
  hostIP: string;
}

/** Sets up every volume of the pod (again: it is idempotent) and returns volume name → folder. */
export async function setUpVolumes(pod: KubeObject, ctx: VolumeContext): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  for (const volume of pod.spec?.volumes ?? []) {
    try {
      folders[volume.name] = await setUpVolume(pod, volume, ctx);
    } catch (err) {
      const why = err instanceof VolumeError ? err.message : `${(err as Error).message}`;
      throw new VolumeError(`MountVolume.SetUp failed for volume "${volume.name}" : ${why}`);
    }
  }
  return folders;
}

async function setUpVolume(pod: KubeObject, volume: any, ctx: VolumeContext): Promise<string> {
  const volumes = join(podDir(ctx.nodeDir, pod.metadata.uid!), 'volumes');
  if (volume.emptyDir) {
    const dir = join(volumes, 'kubernetes.io~empty-dir', volume.name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  if (volume.hostPath) return setUpHostPath(ctx.nodeDir, volume.hostPath.path, volume.hostPath.type ?? '');
  const configKind = KINDS.find((kind) => volume[CONFIG_KINDS[kind].volume]);
  if (configKind) return setUpConfigVolume(pod, volume, configKind, join(volumes, CONFIG_KINDS[configKind].pluginDir, volume.name), ctx);
  if (volume.downwardAPI) {
    const source = volume.downwardAPI;
    const files: Record<string, FileProjection> = {};
    for (const item of source.items ?? []) {
      if (item.fieldRef) files[item.path] = { data: downwardValue(pod, item.fieldRef.fieldPath, ctx), mode: item.mode ?? source.defaultMode ?? 0o644 };
    }
    return writeFiles(join(volumes, 'kubernetes.io~downward-api', volume.name), files);
  }
  if (volume.persistentVolumeClaim) return setUpClaimVolume(pod, volume.persistentVolumeClaim, ctx);
  const kind = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
  throw new VolumeError(`${kind} volumes are not supported by the kubelab node agent`);
}

/** hostPath's type checks (pkg/volume/hostpath): "" checks nothing (a missing path becomes a folder, as Docker does). */
function setUpHostPath(nodeDir: string, path: string, type: string): string {
  const real = confined(join(nodeDir, 'hostpath'), path);
  const stats = existsSync(real) ? statSync(real) : undefined;
  switch (type) {
    case '':
    case 'DirectoryOrCreate':
      if (!stats) mkdirSync(real, { recursive: true, mode: 0o755 });
      break;
    case 'Directory':
      if (!stats?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      break;
    case 'FileOrCreate':
      if (!stats) {
        if (!existsSync(dirname(real))) throw new VolumeError(`hostPath type check failed: the parent folder of ${path} does not exist`);
        writeFileSync(real, '', { mode: 0o644 });
      }
      break;
    case 'File':
      if (!stats?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      break;
    case 'Socket':
      if (!stats?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket file`);
      break;
    default:
      throw new VolumeError(`hostPath type ${type} is not supported by the kubelab node agent`);
  }
  return real;
}

/** A file of a volume: its bytes and its permission bits (volumeutil.FileProjection). */
interface FileProjection {
  data: string | Buffer;
  mode: number;
}

/**
 * A configMap or secret volume: the object's keys as files. A missing object is an
 * error unless the volume is optional, which then stays empty (pkg/volume/configmap
 * and pkg/volume/secret SetUpAt).
 */
async function setUpConfigVolume(pod: KubeObject, volume: any, kind: ConfigKind, dir: string, ctx: VolumeContext): Promise<string> {
  const info = CONFIG_KINDS[kind];
  const source = volume[info.volume];
  const name = source[info.nameField];
  const obj = await readConfigObject(ctx.client, kind, pod.metadata.namespace!, name);
  if (!obj && !source.optional) throw new VolumeError(info.notFound(name));
  const files = projectKeys(kind, obj ? fileContents(kind, obj) : {}, source);
  return writeFiles(dir, files);
}

/** Every key as a file named after it, or only the listed items at their paths, each with its mode or the default (MakePayload). */
function projectKeys(kind: ConfigKind, contents: Record<string, Buffer>, source: any): Record<string, FileProjection> {
  const defaultMode = source.defaultMode ?? 0o644;
  const files: Record<string, FileProjection> = {};
  if (!source.items) {
    for (const [key, data] of Object.entries(contents)) files[key] = { data, mode: defaultMode };
    return files;
  }
  for (const item of source.items) {
    if (Object.hasOwn(contents, item.key)) files[item.path] = { data: contents[item.key], mode: item.mode ?? defaultMode };
    else if (!source.optional) throw new VolumeError(CONFIG_KINDS[kind].missingItemKey(item.key));
  }
  return files;
}

function downwardValue(pod: KubeObject, fieldPath: string, ctx: VolumeContext): string {
  // The whole label or annotation map: one `key="value"` a line (pkg/fieldpath FormatMap).
  if (fieldPath === 'metadata.labels' || fieldPath === 'metadata.annotations') {
    const map: Record<string, string> = (fieldPath === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {};
    return Object.keys(map).sort().map((k) => `${k}=${JSON.stringify(map[k])}`).join('\n');
  }
  return fieldRefValue(fieldPath, { pod, podIP: ctx.podIP, hostIP: ctx.hostIP });
}

/** Writes the files (path → content and mode) into dir, replacing each atomically and removing files no longer wanted. */
function writeFiles(dir: string, files: Record<string, FileProjection>): string {
  mkdirSync(dir, { recursive: true });
  for (const [path, { data, mode }] of Object.entries(files)) {
    const file = confined(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    writeFileSync(temp, data, { mode });
    chmodSync(temp, mode); // the exact bits, whatever the umask took away
    renameSync(temp, file);
  }
  const wanted = new Set(Object.keys(files).map((p) => posix.normalize(p).split('/')[0]));
  for (const entry of readdirSync(dir)) if (!wanted.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  return dir;
}

/** mountPath → real path for one container, subPath applied (and made, as the kubelet does). */
export function containerMounts(container: any, folders: Record<string, string>): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const mount of container.volumeMounts ?? []) {
    const folder = folders[mount.name];
    if (folder === undefined) throw new ContainerCreateError(`volume "${mount.name}" of mount ${mount.mountPath} is not a volume of the pod`);
    let real = folder;
    if (mount.subPath) {
      real = confined(folder, mount.subPath);
      if (!existsSync(real)) mkdirSync(real, { recursive: true });
    }
    mounts[mount.mountPath] = real;
  }
  return mounts;
}

/** The real folder of a container path (workingDir): the longest mountPath that holds it wins (images' mounts.mjs rule). */
export function resolveContainerPath(path: string, mounts: Record<string, string>): string {
  const normalized = posix.normalize(path);
  let best: { prefix: string; folder: string } | undefined;
  for (const [mountPath, folder] of Object.entries(mounts)) {
    const prefix = posix.normalize(mountPath).replace(/\/+$/, '');
    const inside = normalized === prefix || normalized.startsWith(`${prefix}/`);
    if (inside && (!best || prefix.length > best.prefix.length)) best = { prefix, folder };
  }
  if (!best) throw new ContainerCreateError(`workingDir ${path} is under no volume mount of the container: the process runtime has no root filesystem`);
  return join(best.folder, normalized.slice(best.prefix.length));
}

/** Removes the pod's folder: its emptyDir, configMap, secret and downwardAPI volumes. hostPath data stays on the node. */
export function tearDownVolumes(nodeDir: string, podUid: string): void {
  rmSync(podDir(nodeDir, podUid), { recursive: true, force: true });
}
