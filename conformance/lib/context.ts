// What a check body gets: Kubernetes clients for the cluster, a raw HTTP client,
// a fresh namespace of its own, and helpers that turn a wrong answer into a
// readable failure.

import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { ClusterInfo } from '../harness/cluster.ts';
import { rawRequest, openWatch, type RawRequest, type RawResponse, type WatchStream } from '../harness/raw-client.ts';
import { disruptionTarget, requestDisruption, type Disruption } from '../harness/control-server.ts';
import { CheckFailure } from './failure.ts';
import { ConnectionReusingKubeConfig } from './kubeconfig-reuse.ts';
import { scaledWait } from './run-settings.ts';
import type { CheckMeta } from './check.ts';
import { WatchRecorder } from '../timeline/watch-recorder.ts';
import type { CheckRecording, TimedStep } from '../timeline/recording.ts';

/** A Kubernetes Status, as an API error carries it. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; group?: string; causes?: { reason?: string; field?: string; message?: string }[] };
}

export class CheckContext {
  readonly kc: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly coordination: k8s.CoordinationV1Api;
  /** The generic client: any kind, by apiVersion and kind. */
  readonly objects: k8s.KubernetesObjectApi;
  readonly steps: string[] = [];
  /** The same steps with the time each was taken (for the failure timeline). */
  readonly timedSteps: TimedStep[] = [];
  readonly startedAt = Date.now();
  /** Set when the check's cleanup begins: the end of its timeline. */
  private endedAt?: number;
  /** The watch events of the check's namespaces and of the Nodes, kept for the timeline if the check fails. */
  private readonly recorder: WatchRecorder;
  /** Ends the check as skipped, with the reason (check() connects it to the test runner). */
  skip: (reason: string) => never = (reason) => {
    throw new Error(`skipped: ${reason}`);
  };
  private cleanups: (() => Promise<unknown>)[] = [];

  constructor(readonly cluster: ClusterInfo, private readonly control: { url: string; secret: string }, readonly meta: CheckMeta) {
    this.kc = new ConnectionReusingKubeConfig();
    this.kc.loadFromFile(cluster.kubeconfig);
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
    this.apps = this.kc.makeApiClient(k8s.AppsV1Api);
    this.coordination = this.kc.makeApiClient(k8s.CoordinationV1Api);
    this.objects = k8s.KubernetesObjectApi.makeApiClient(this.kc);
    this.recorder = new WatchRecorder(cluster);
  }

  /** Records what the check is doing, for the report. */
  step(text: string): void {
    this.steps.push(text);
    this.timedSteps.push({ time: Date.now(), text });
  }

  /** What the check saw so far, for its failure timeline (conformance/timeline/). */
  recording(): CheckRecording {
    return {
      startedAt: this.startedAt, endedAt: this.endedAt ?? Date.now(), steps: [...this.timedSteps],
      watchEvents: this.recorder.events, droppedWatchEvents: this.recorder.dropped,
    };
  }

  raw(request: RawRequest): Promise<RawResponse> {
    return rawRequest(this.cluster, request);
  }

  watch(path: string): WatchStream {
    const stream = openWatch(this.cluster, path);
    this.cleanups.push(async () => stream.close());
    // KUBELAB_WAIT_SCALE (run-settings.ts) applies to a watch's waits as to every other wait.
    const waitFor = stream.waitFor;
    return { ...stream, waitFor: (predicate, timeoutMs = 10_000) => waitFor(predicate, scaledWait(timeoutMs)) };
  }

  /** A new namespace for this check alone, deleted when the check ends. */
  async namespace(): Promise<string> {
    const slug = this.meta.id.replace(/[^a-z0-9]+/g, '-').slice(0, 40).replace(/-+$/, '');
    const name = `${slug}-${randomBytes(3).toString('hex')}`;
    this.step(`create namespace ${name}`);
    await this.core.createNamespace({ body: { metadata: { name } } });
    this.cleanups.push(() => this.core.deleteNamespace({ name }).catch(() => undefined));
    // From now on its objects' changes are recorded (the watches list what already exists first).
    await this.recorder.watchNamespace(name);
    return name;
  }

  /** Runs fn when the check ends, pass or fail. The latest registered runs first: after t.namespace(), before that namespace goes. */
  onCleanup(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  /** Asks the harness to break the cluster in one of the ways the check declared it needs. */
  async disrupt(disruption: Disruption): Promise<void> {
    const target = disruptionTarget(disruption);
    this.step(`harness: ${disruption.action}${target ? ` ${target}` : ''}`);
    void this.recorder.watchNodes();
    await requestDisruption(this.control, disruption);
  }

  fail(expected: string, seen: string, objects: { label: string; value: unknown }[] = [], hint?: string): never {
    throw new CheckFailure(expected, seen, objects, hint);
  }

  /** Awaits a call that must fail with the given HTTP code (and reason); returns the Status it carried. */
  async expectError(what: string, call: Promise<unknown>, expected: { code: number; reason?: string }): Promise<StatusBody> {
    let result: unknown;
    try {
      result = await call;
    } catch (err) {
      const status = statusOf(err);
      const code = status.code ?? (err as any)?.code;
      if (code !== expected.code || (expected.reason && status.reason !== expected.reason)) {
        this.fail(`${what} to fail with ${expected.code}${expected.reason ? ` ${expected.reason}` : ''}`,
          `${code} ${status.reason ?? ''}: ${status.message ?? (err as Error).message}`, [{ label: 'response', value: status }]);
      }
      return status;
    }
    this.fail(`${what} to fail with ${expected.code}${expected.reason ? ` ${expected.reason}` : ''}`, 'it succeeded', [{ label: 'response', value: plain(result) }]);
  }

  /** Retries probe until it returns a value (not undefined) or the time is up; then fails with describe(). */
  async eventually<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; seen?: () => Promise<string> | string } = {}): Promise<T> {
    const timeoutMs = scaledWait(options.timeoutMs ?? 10_000);
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seen = options.seen ? await options.seen() : lastError ? String((lastError as Error).message) : 'it did not happen';
    this.fail(`${what} within ${timeoutMs / 1000} s`, seen);
  }

  async cleanup(): Promise<void> {
    // The timeline ends here: what cleanup deletes is not part of what happened.
    this.endedAt ??= Date.now();
    this.recorder.close();
    for (const fn of this.cleanups.reverse()) await fn().catch(() => undefined);
    this.cleanups = [];
  }
}

/** The Status inside a client-node ApiException (or a raw response). */
export function statusOf(err: unknown): StatusBody {
  const body = (err as any)?.body;
  if (body && typeof body === 'object') return body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch { /* not JSON */ }
  }
  return { code: (err as any)?.code, message: (err as Error)?.message };
}

/** client-node returns class instances with Date fields; this gives plain JSON for printing. */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
