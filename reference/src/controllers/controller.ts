// The shape every controller has (the Kubernetes sample-controller's):
//
//   informers ──events──▶ work queue of keys ──▶ reconcile(key)
//
// - Informers keep a local copy of the objects a controller reads. Their event
//   handlers do no work: they only put the key of the object to look at
//   ("namespace/name") in the queue.
// - reconcile(key) reads the desired state (the object's spec) and the
//   observed state (the caches), and makes one step toward the desired state
//   through the API. It returns normally when it is done, and throws to be
//   tried again later (the queue backs off per key). Returning normally after
//   a failure is right only when an event is sure to bring the key back (a 409
//   means the object changed, and its watch event is on the way).
// - reconcile is level-based: it never asks what changed, only what is. A
//   missed event, a restart or a burst of events all end the same way.

import type { ApiClient } from '../client/api-client.ts';
import type { EventRecorder } from '../client/events.ts';
import type { WorkQueue } from '../client/workqueue.ts';
import type { Profile } from '../config/profile.ts';
import type { SharedInformers } from './shared-informers.ts';

export interface ControllerContext {
  client: ApiClient;
  informers: SharedInformers;
  /** An event recorder that reports as `component` (e.g. "replicaset-controller"). */
  recorder(component: string): EventRecorder;
  profile: Profile;
}

export interface Controller {
  /** The name `--controllers` knows it by, e.g. "replicaset-controller". */
  readonly name: string;
  readonly queue: WorkQueue;
  /** Makes one step from what is toward what should be, for one key. */
  reconcile(key: string): Promise<void>;
  /** Work that is not per key (a periodic check), started once the caches are in sync. */
  start?(): void;
  stop?(): void;
}
