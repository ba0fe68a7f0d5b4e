// A pod's status, computed from what the agent knows (pod-state.ts), as the
// kubelet's generateAPIPodStatus does (pkg/kubelet/kubelet_pods.go, and
// pkg/kubelet/status/generate.go for the conditions). Pure functions: the pod
// sync writes the result through pods/<name>/status when it changed.

import type { KubeObject } from '../../api/types.ts';
import type { ContainerRecord, PodRecord, Terminated } from './pod-state.ts';
import { apiTime } from '../../api/time.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface ContainerStatus {
  name: string;
  state: { waiting?: { reason: string; message?: string }; running?: { startedAt: string }; terminated?: object };
  lastState: { terminated?: object };
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}


function terminatedState(t: Terminated): Terminated {
  return { ...t, startedAt: apiTime(t.startedAt), finishedAt: apiTime(t.finishedAt) };
}

/** One container's status: state, lastState, and the probes' verdicts. */
export function containerStatus(c: ContainerRecord): ContainerStatus {
  const ended = c.instance?.terminated && terminatedState(c.instance.terminated);
  const previous = c.previous && terminatedState(c.previous);
  let state: ContainerStatus['state'];
  let lastState: ContainerStatus['lastState'];
  if (c.waiting) {
    // Waiting to (re)start: the instance that ended is the last state.
    state = { waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) } };
    const last = ended ?? previous;
    lastState = last ? { terminated: last } : {};
  } else if (c.instance && !ended) {
    state = { running: { startedAt: apiTime(c.instance.startedAt) } };
    lastState = previous ? { terminated: previous } : {};
  } else if (ended) {
    state = { terminated: ended };
    lastState = previous ? { terminated: previous } : {};
  } else {
    state = { waiting: { reason: c.init ? 'PodInitializing' : 'ContainerCreating' } };
    lastState = {};
  }
  const running = !!state.running;
  return {
    name: c.name, state, lastState,
    ready: running && c.ready,
    restartCount: c.restartCount,
    image: c.image, imageID: c.imageID,
    ...(c.instance ? { containerID: `kubelab://${c.instance.id}` } : {}),
    started: running && c.started,
  };
}

// LAB(pods) begin: the pod's phase from its containers (kubelet_pods.go getPhase)
/**
 * Pending until every container has been started; Running while one runs (or
 * will be restarted); Succeeded or Failed once all have ended and none will run
 * again. podIsTerminal: the pod is being deleted and its containers were
 * stopped, so none will run again whatever the restart policy says.
 */
export function computePhase(spec: any, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal = false): PodPhase {
  const restartPolicy = spec.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    const terminated = s?.state.terminated as { exitCode: number } | undefined;
    const lastTerminated = s?.lastState.terminated as { exitCode: number } | undefined;
    if (!s || s.state.running) pendingInitialization++;
    else if (terminated) { if (terminated.exitCode !== 0) failedInitialization++; }
    else if (lastTerminated) { if (lastTerminated.exitCode !== 0) failedInitialization++; }
    else pendingInitialization++;
  }

  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of spec.containers ?? []) {
    const s = statuses.find((x) => x.name === c.name);
    const terminated = s?.state.terminated as { exitCode: number } | undefined;
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (terminated) {
      stopped++;
      if (terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++; // waiting to restart after it ran
    else waiting++;
  }

  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && failedInitialization === 0) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running'; // every container is being restarted
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running'; // OnFailure: the failed ones are being restarted
  }
  return 'Pending';
}
// LAB end

function condition(type: string, ok: boolean, old: PodCondition[], now: string, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = old.find((c) => c.type === type);
  // The transition time moves only when the status changes.
  const lastTransitionTime = before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : now;
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

const OWN_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

// LAB(pods) begin: readiness → the ContainersReady and Ready conditions (status/generate.go)
/**
 * The kubelet's conditions. Ready is ContainersReady plus the pod's readiness
 * gates (conditions that others set); a Succeeded pod is not ready (PodCompleted).
 */
export function podConditions(pod: KubeObject, phase: PodPhase, initStatuses: ContainerStatus[], statuses: ContainerStatus[], now: string): PodCondition[] {
  const old: PodCondition[] = pod.status?.conditions ?? [];

  const incomplete = (pod.spec?.initContainers ?? [])
    .filter((c: any) => (initStatuses.find((s) => s.name === c.name)?.state.terminated as any)?.exitCode !== 0)
    .map((c: any) => c.name);
  const initialized = incomplete.length === 0 || phase === 'Succeeded';

  const unready = (pod.spec?.containers ?? []).filter((c: any) => !statuses.find((s) => s.name === c.name)?.ready).map((c: any) => c.name);
  const containersReady = unready.length === 0;
  const notReadyReason = phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = phase === 'Succeeded' ? undefined : `containers with unready status: [${unready.join(' ')}]`;

  // Ready also waits for the readiness gates: conditions others set, each must be True (KEP 580).
  const gates: string[] = (pod.spec?.readinessGates ?? []).map((g: any) => g.conditionType);
  const openGate = gates.find((type) => old.find((c) => c.type === type)?.status !== 'True');
  const gate = old.find((c) => c.type === openGate);
  const ready = !containersReady ? condition('Ready', false, old, now, notReadyReason, notReadyMessage)
    : openGate ? condition('Ready', false, old, now, 'ReadinessGatesNotReady', gate
      ? `the status of pod readiness gate "${openGate}" is not "True", but ${gate.status}`
      : `corresponding condition of pod readiness gate "${openGate}" does not exist.`)
    : condition('Ready', true, old, now);

  const conditions = [
    condition('PodReadyToStartContainers', true, old, now),
    initialized
      ? condition('Initialized', true, old, now)
      : condition('Initialized', false, old, now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    ready,
    containersReady ? condition('ContainersReady', true, old, now) : condition('ContainersReady', false, old, now, notReadyReason, notReadyMessage),
    // The scheduler's condition stays as it is; a pod created with spec.nodeName set never had one.
    old.find((c) => c.type === 'PodScheduled') ?? condition('PodScheduled', true, old, now),
  ];
  // Conditions others own (readiness gates, DisruptionTarget) are kept.
  return [...conditions, ...old.filter((c) => !OWN_CONDITIONS.includes(c.type))];
}
// LAB end

/** The pod's whole status. The phase never leaves Succeeded or Failed once there. */
export function buildPodStatus(pod: KubeObject, record: PodRecord, hostIP: string, now: string, podIsTerminal = false): Record<string, unknown> {
  const spec = pod.spec ?? {};
  const records = (names: any[]) => names.map((c: any) => record.containers.get(c.name)).filter((c): c is ContainerRecord => !!c);
  const initStatuses = records(spec.initContainers ?? []).map(containerStatus);
  const statuses = records(spec.containers ?? []).map(containerStatus).sort((a, b) => a.name.localeCompare(b.name));
  const phase: PodPhase = record.terminalPhase ?? computePhase(spec, initStatuses, statuses, podIsTerminal);
  return {
    phase,
    conditions: podConditions(pod, phase, initStatuses, statuses, now),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: record.podIP,
    podIPs: [{ ip: record.podIP }],
    startTime: record.startTime,
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
  };
}
