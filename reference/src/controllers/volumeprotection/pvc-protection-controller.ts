// PersistentVolumeClaim protection: a claim that a pod uses is not removed
// from under it (pkg/controller/volume/pvcprotection/pvc_protection_controller.go).
//
// The API server gives every new claim the finalizer kubernetes.io/pvc-protection
// (registry/storage-protection.ts). reconcile(claim key):
//   - being deleted, and no scheduled pod mounts it: remove the finalizer, and
//     the claim is gone; while a pod uses it, it stays Terminating;
//   - not being deleted and without the finalizer (made before protection was
//     on): add it.
// A pod that comes or goes looks at the claims it mounts again.

import type { KubeObject } from '../../api/types.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUME_CLAIMS, PODS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { PVC_PROTECTION_FINALIZER } from '../../apiserver/registry/storage-protection.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { hasFinalizer, setFinalizer } from './finalizers.ts';

/** The claims a pod mounts, as "namespace/name" keys. */
function claimKeysOf(pod: KubeObject): string[] {
  return (pod.spec?.volumes ?? [])
    .filter((v: any) => v?.persistentVolumeClaim?.claimName)
    .map((v: any) => `${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`);
}

/**
 * Only a pod with a node counts: a node agent refuses to start a pod whose
 * claim is being deleted, so an unscheduled pod never will use it.
 */
function podUsesClaim(pod: KubeObject, claim: KubeObject): boolean {
  return !!pod.spec?.nodeName && pod.metadata.namespace === claim.metadata.namespace &&
    claimKeysOf(pod).includes(keyOf(claim));
}

export class PvcProtectionController implements Controller {
  readonly name = 'persistentvolumeclaim-protection-controller';
  readonly queue = new WorkQueue();
  private readonly claims: Informer;
  private readonly pods: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.for(PERSISTENT_VOLUME_CLAIMS);
    this.pods = ctx.informers.for(PODS);
    this.claims.addEventHandler({
      onAdd: (pvc) => this.queue.add(keyOf(pvc)),
      onUpdate: (_old, pvc) => this.queue.add(keyOf(pvc)),
    });
    const podChanged = (pod: KubeObject) => { for (const key of claimKeysOf(pod)) this.queue.add(key); };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_old, pod) => podChanged(pod), onDelete: podChanged });
  }

  async reconcile(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    const path = resourcePath(PERSISTENT_VOLUME_CLAIMS, claim.metadata.namespace, claim.metadata.name);
    const protectedNow = hasFinalizer(claim, PVC_PROTECTION_FINALIZER);
    if (claim.metadata.deletionTimestamp) {
      if (protectedNow && !(await this.isBeingUsed(claim))) await setFinalizer(this.ctx.client, path, claim, PVC_PROTECTION_FINALIZER, false);
    } else if (!protectedNow) {
      await setFinalizer(this.ctx.client, path, claim, PVC_PROTECTION_FINALIZER, true);
    }
  }

  /**
   * The cache first; when it knows no user, the API server, since a pod made a
   * moment ago may not be in the cache yet and removing the finalizer cannot
   * be undone (askInformer, then askAPIServer).
   */
  private async isBeingUsed(claim: KubeObject): Promise<boolean> {
    if (this.pods.list().some((pod) => podUsesClaim(pod, claim))) return true;
    const live = await this.ctx.client.get<{ items: KubeObject[] }>(resourcePath(PODS, claim.metadata.namespace));
    return live.items.some((pod) => podUsesClaim(pod, claim));
  }
}
