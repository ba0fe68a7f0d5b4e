// persistentVolumeClaim volumes: the claim → the PersistentVolume bound to it →
// a folder (pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go,
// getPVCExtractPV and getPVSpec, for the checks and their messages).
//
// A claim's data must outlive its pods and follow them to any node. A hostPath
// volume here is the folder of that path on the machine, the same folder for
// every node agent, since all nodes run on one machine; a pod's own hostPath
// volumes, by contrast, stay inside the node's folder (volumes.ts).

import { existsSync, mkdirSync, statSync } from 'node:fs';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, resourcePath } from '../../client/paths.ts';

/** The folder of the claim's volume, made if the volume allows it; throws with the kubelet's message. */
export async function setUpClaimVolume(pod: KubeObject, source: { claimName: string }, ctx: { client: ApiClient }): Promise<string> {
  const namespace = pod.metadata.namespace!;
  const fail = (why: string) => new Error(`error processing PVC ${namespace}/${source.claimName}: ${why}`);

  let claim: KubeObject;
  try {
    claim = await ctx.client.get(resourcePath(PERSISTENT_VOLUME_CLAIMS, namespace, source.claimName));
  } catch (err) {
    throw fail(`failed to fetch PVC from API server: ${(err as Error).message}`);
  }
  // A claim being deleted waits only for the pods already using it to go.
  if (claim.metadata.deletionTimestamp) throw fail('PVC is being deleted');
  if (claim.status?.phase !== 'Bound') throw fail('PVC is not bound');

  const name: string = claim.spec?.volumeName;
  let volume: KubeObject;
  try {
    volume = await ctx.client.get(resourcePath(PERSISTENT_VOLUMES, undefined, name));
  } catch (err) {
    throw fail(`failed to fetch PV ${name} from API server: ${(err as Error).message}`);
  }
  // The volume must point back at this very claim, not at an older one of the same name.
  const ref = volume.spec?.claimRef;
  if (!ref) throw fail(`found PV object ${name} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (ref.uid !== claim.metadata.uid) {
    throw fail(`found PV object ${name} but its pv.Spec.ClaimRef.UID ${ref.uid} does not point to claim.UID ${claim.metadata.uid}`);
  }

  if (volume.spec?.hostPath) return hostFolder(name, volume.spec.hostPath.path, volume.spec.hostPath.type ?? '');
  if (volume.spec?.local) return hostFolder(name, volume.spec.local.path, 'Directory'); // a local volume must exist
  throw new Error(`PersistentVolume ${name}: only hostPath and local volumes are supported by the kubelab node agent`);
}

/**
 * hostPath's type check (pkg/volume/hostpath): "" checks nothing (a missing
 * path becomes a folder, as the container runtime makes it), DirectoryOrCreate
 * makes a missing folder, Directory needs one.
 */
function hostFolder(volumeName: string, path: string, type: string): string {
  const stats = existsSync(path) ? statSync(path) : undefined;
  switch (type) {
    case '':
      if (!stats) mkdirSync(path, { recursive: true, mode: 0o755 });
      return path;
    case 'DirectoryOrCreate':
      if (!stats) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!stats.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return path;
    case 'Directory':
      if (!stats?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return path;
    default:
      throw new Error(`PersistentVolume ${volumeName}: hostPath type ${type} is not supported by the kubelab node agent for persistent volumes`);
  }
}
