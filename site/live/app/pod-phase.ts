// What a pod's tile says about it: its phase, whether it is ready, whether it
// is going away, and the reason a container is stuck, read from the pod's
// status as `kubectl get pods` reads it.
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/

import type { KubeObject } from './types.ts';

export interface PodLook {
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  ready: boolean;
  /** deletionTimestamp is set: the pod is on its way out. */
  terminating: boolean;
  /** Why a container is not running (CrashLoopBackOff, ErrImagePull, …), if one says so. */
  problem?: string;
  restarts: number;
}

export function podLook(pod: KubeObject): PodLook {
  const status = pod.status ?? {};
  const containers: any[] = status.containerStatuses ?? [];
  const waiting = containers.map((c) => c.state?.waiting?.reason).find((r) => r && r !== 'ContainerCreating' && r !== 'PodInitializing');
  const terminated = containers.map((c) => c.state?.terminated?.reason).find((r) => r && r !== 'Completed');
  return {
    phase: status.phase ?? 'Pending',
    ready: (status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    terminating: !!pod.metadata.deletionTimestamp,
    problem: waiting ?? terminated ?? (status.reason as string | undefined),
    restarts: containers.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
  };
}
