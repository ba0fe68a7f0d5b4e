// Restart back-off: why a crashing container waits longer and longer before it
// runs again (CrashLoopBackOff), and an image that cannot be pulled is tried
// less and less often (ImagePullBackOff).
//
// This is client-go's flowcontrol.Backoff as the kubelet uses it
// (pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff):
// - the first failure gets no wait: the container is restarted at once, and
//   the back-off for the next failure is set to the base (10 s);
// - each later failure within the back-off window waits; when the wait is over
//   the container starts, and the back-off doubles, up to the cap (5 min);
// - an entry that has not been touched for 2 × the cap is forgotten, so a
//   container that ran 10 minutes without trouble starts over at the base.
// The profile scales base and cap (the fast profile: 1 s and 8 s).

interface Entry {
  /** The current back-off, in ms. */
  backoffMs: number;
  /** When the entry was last moved on: the last restart (ms since the epoch). */
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly baseMs: number, private readonly maxMs: number, private readonly now: () => number = Date.now) {}

  /**
   * Records a failure at eventTime (a container's finishedAt) and moves the
   * back-off on: base for the first failure (or after a long quiet time),
   * otherwise twice the last one, at most the cap.
   */
  next(key: string, eventTime: number): void {
    // LAB(pods) begin: exponential back-off (flowcontrol.Backoff Next)
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(entry, eventTime)) {
      this.entries.set(key, { backoffMs: this.baseMs, lastUpdate: this.now() });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
    // Now is when the container restarts: a next failure long after it means it ran well.
    entry.lastUpdate = this.now();
    // LAB end
  }

  /** Whether a failure at eventTime is still inside its back-off window: then the restart must wait. */
  isInBackOffSince(key: string, eventTime: number): boolean {
    // LAB(pods) begin: inside the back-off window? (flowcontrol.Backoff IsInBackOffSince)
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(entry, eventTime)) return false;
    return this.now() - eventTime < entry.backoffMs;
    // LAB end
  }

  /** An entry untouched for 2 × the cap is forgotten: the container ran well since. */
  private hasExpired(entry: Entry, eventTime: number): boolean {
    return eventTime - entry.lastUpdate > 2 * this.maxMs;
  }

  /** The current back-off of key in ms (0 when there is none), for the CrashLoopBackOff message. */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** How long from now until a failure at eventTime leaves its window. */
  remaining(key: string, eventTime: number): number {
    return Math.max(0, eventTime + this.get(key) - this.now());
  }

  /** Forgets every entry whose key starts with prefix (a pod that is gone). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

/** `10s`, `1m20s`, `5m0s`: how Go prints a duration, as the CrashLoopBackOff message shows it. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m${seconds % 60}s`;
}
