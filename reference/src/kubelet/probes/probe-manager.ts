// Probe workers: one per probe of each running container instance
// (pkg/kubelet/prober/worker.go). A worker runs its probe every periodSeconds,
// starting initialDelaySeconds after the container started, and turns the
// single results into a verdict with the thresholds:
//
//   startupProbe    until it succeeds, the other two do not run; when it fails
//                   failureThreshold times in a row, the container is killed
//   livenessProbe   failureThreshold failures in a row: the container is killed
//                   (and restarted per the restart policy)
//   readinessProbe  successThreshold successes in a row: ready;
//                   failureThreshold failures in a row: not ready
//
// The manager only reports; the pod sync owns the container's record and acts.

import { runProbe, type ProbeTarget } from './prober.ts';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeListener {
  /** The startup probe succeeded (or the container has none). */
  started(id: string): void;
  /** The readiness verdict changed (a container without a readiness probe is ready once started). */
  readiness(id: string, ready: boolean): void;
  /** One probe run failed: worth an Unhealthy event. */
  failed(id: string, kind: ProbeKind, message: string): void;
  /** A startup or liveness probe reached its failure threshold: kill the container. */
  kill(id: string, kind: ProbeKind, message: string): void;
}

/** A probe's verdict so far: what the thresholds turn single results into. */
export interface ProbeVerdict {
  /** The verdict in force (undefined: none yet). */
  result?: boolean;
  /** The last single result, and how many times in a row it came. */
  last?: boolean;
  run: number;
}

// LAB(pods) begin: probe thresholds (worker.go doProbe)
/** Takes one probe result into the verdict; returns the new verdict in force. */
export function applyProbeResult(verdict: ProbeVerdict, ok: boolean, probe: { successThreshold?: number; failureThreshold?: number }): boolean | undefined {
  if (verdict.last === ok) verdict.run++;
  else {
    verdict.last = ok;
    verdict.run = 1;
  }
  const needed = ok ? probe.successThreshold ?? 1 : probe.failureThreshold ?? 3;
  if (verdict.run >= needed) verdict.result = ok;
  return verdict.result;
}
// LAB end

interface Worker {
  kind: ProbeKind;
  probe: any;
  timer?: NodeJS.Timeout;
  verdict: ProbeVerdict;
  stopped: boolean;
  generation: number;
}

interface InstanceProbes {
  workers: Worker[];
  started: boolean;
  readinessProbe: boolean;
  startedAtMs: number;
  target: ProbeTarget;
}

export class ProbeManager {
  private readonly instances = new Map<string, InstanceProbes>();

  constructor(private readonly listener: ProbeListener) {}

  /** Starts the workers of a container instance that just started. */
  addContainer(id: string, container: any, target: ProbeTarget): void {
    this.removeContainer(id);
    const probes: InstanceProbes = { workers: [], started: !container.startupProbe, readinessProbe: !!container.readinessProbe, startedAtMs: Date.now(), target };
    this.instances.set(id, probes);
    if (probes.started) this.reportStarted(id, probes);
    const kinds: [ProbeKind, any][] = [['startup', container.startupProbe], ['liveness', container.livenessProbe], ['readiness', container.readinessProbe]];
    for (const [kind, probe] of kinds) {
      if (!probe) continue;
      const worker: Worker = { kind, probe, verdict: { run: 0 }, stopped: false, generation: 0 };
      probes.workers.push(worker);
      this.schedule(id, probes, worker, (probe.initialDelaySeconds ?? 0) * 1000);
    }
  }

  private reportStarted(id: string, probes: InstanceProbes): void {
    this.listener.started(id);
    if (!probes.readinessProbe) this.listener.readiness(id, true);
  }

  removeContainer(id: string): void {
    const probes = this.instances.get(id);
    if (!probes) return;
    for (const w of probes.workers) {
      w.stopped = true;
      clearTimeout(w.timer);
    }
    this.instances.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.instances.keys()]) this.removeContainer(id);
  }

  private schedule(id: string, probes: InstanceProbes, worker: Worker, delayMs: number): void {
    if (worker.stopped) return;
    clearTimeout(worker.timer);
    // Rescheduling a worker replaces its chain of ticks: the old chain sees a newer generation and ends.
    const generation = ++worker.generation;
    worker.timer = setTimeout(() => {
      void this.tick(id, probes, worker).finally(() => {
        if (worker.generation === generation) this.schedule(id, probes, worker, (worker.probe.periodSeconds ?? 10) * 1000);
      });
    }, delayMs);
  }

  private async tick(id: string, probes: InstanceProbes, worker: Worker): Promise<void> {
    // Liveness and readiness wait for the startup probe; the startup probe stops once it succeeded.
    if (worker.kind === 'startup' ? probes.started : !probes.started) return;
    const { ok, message } = await runProbe(worker.probe, probes.target);
    if (worker.stopped) return;
    if (!ok) this.listener.failed(id, worker.kind, message);
    const before = worker.verdict.result;
    const verdict = applyProbeResult(worker.verdict, ok, worker.probe);

    if (worker.kind === 'readiness') {
      if (verdict !== undefined && verdict !== before) this.listener.readiness(id, verdict);
    } else if (verdict === false) {
      // The container will be killed; this instance is not probed any more.
      worker.stopped = true;
      this.listener.kill(id, worker.kind, message);
    } else if (worker.kind === 'startup' && verdict === true) {
      probes.started = true;
      worker.stopped = true;
      this.reportStarted(id, probes);
      // Liveness and readiness start now rather than at their next tick.
      for (const w of probes.workers) {
        if (w === worker || w.stopped) continue;
        const delay = Math.max(0, probes.startedAtMs + (w.probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
        this.schedule(id, probes, w, delay);
      }
    }
  }
}
