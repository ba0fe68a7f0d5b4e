// What the node agent knows about each pod it runs: the part of the world that
// is not in the API. The pod's status is computed from this (pod-status.ts)
// and written to the API server; the agent never reads its own status back
// except once, to carry on after a restart (restart counts, the pod IP).

/** A container instance that ended (`state.terminated` / `lastState.terminated` in the status). */
export interface Terminated {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

/** One container of the pod (init or regular) across its instances. */
export interface ContainerRecord {
  name: string;
  init: boolean;
  /** The image as the pod spec names it. */
  image: string;
  /** Known once the image was pulled; '' before. */
  imageID: string;
  /** The latest instance's number: how many times the container was restarted. */
  restartCount: number;
  /** The latest instance: the runtime's id (`<pod uid>/<name>/<restartCount>`), running or ended. */
  instance?: { id: string; startedAt: string; terminated?: Terminated };
  /** The instance before the latest one, if it ended (`lastState`). */
  previous?: Terminated;
  /** Why no instance runs now, when one should: ContainerCreating, CrashLoopBackOff, ErrImagePull… */
  waiting?: { reason: string; message?: string };
  /** The startup probe succeeded (or there is none) for the running instance. */
  started: boolean;
  /** The readiness probe succeeded (or there is none) for the running instance. */
  ready: boolean;
}

export interface PodRecord {
  uid: string;
  /** namespace/name: the work queue's key. */
  key: string;
  namespace: string;
  name: string;
  podIP: string;
  startTime: string;
  containers: Map<string, ContainerRecord>;
  /** Set once the pod reached Succeeded or Failed: nothing is started any more. */
  terminalPhase?: 'Succeeded' | 'Failed';
  /** Set once the pod's containers are being stopped (deletion, removal), with the grace period given. */
  termination?: Promise<void>;
  stopGraceSeconds?: number;
  /** Every container has stopped: the pod can be finished. */
  stopped?: boolean;
  /** The pod is gone from the API: the agent forgets it once its containers stopped. */
  forgetting?: boolean;
}

export function isRunning(c: ContainerRecord): boolean {
  return !!c.instance && !c.instance.terminated;
}

/** The record of a container never started yet. */
export function newContainerRecord(name: string, image: string, init: boolean): ContainerRecord {
  return { name, init, image, imageID: '', restartCount: 0, started: false, ready: false };
}

/**
 * A record seeded from a status the pod already has: the agent restarted. The
 * processes of the previous agent are gone (killed at start, see pid-records.ts),
 * so an instance that ran is taken as ended, as the kubelet reports a container
 * that vanished (ContainerStatusUnknown, exit code 137); the restart policy then
 * decides what happens, as after a node reboot.
 */
export function recordFromStatus(name: string, image: string, init: boolean, status: any): ContainerRecord {
  const record = newContainerRecord(name, image, init);
  if (!status) return record;
  record.restartCount = status.restartCount ?? 0;
  record.imageID = status.imageID ?? '';
  record.previous = status.lastState?.terminated;
  const id = typeof status.containerID === 'string' ? status.containerID.replace(/^kubelab:\/\//, '') : '';
  const state = status.state ?? {};
  if (state.terminated) {
    record.instance = { id, startedAt: state.terminated.startedAt, terminated: state.terminated };
  } else if (state.running) {
    const now = new Date().toISOString();
    record.instance = {
      id, startedAt: state.running.startedAt,
      terminated: {
        exitCode: 137, reason: 'ContainerStatusUnknown', containerID: status.containerID,
        message: 'The container could not be located when the node agent restarted. The container used to be Running',
        startedAt: state.running.startedAt, finishedAt: now,
      },
    };
  } else if (state.waiting && status.lastState?.terminated) {
    // Waiting to restart: the latest instance is the one that ended.
    record.instance = { id, startedAt: status.lastState.terminated.startedAt, terminated: status.lastState.terminated };
    record.previous = undefined;
  }
  return record;
}
