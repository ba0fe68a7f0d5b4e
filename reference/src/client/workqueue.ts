// A work queue of keys, with client-go's workqueue guarantees:
// - a key waits in the queue at most once, however often it is added;
// - a key is never handed to two workers at once: added again while being
//   processed, it is queued again when the worker calls done();
// - a key that failed comes back after a per-key exponential back-off
//   (addRateLimited), until forget() says it succeeded.

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly baseDelayMs = 5, private readonly maxDelayMs = 60_000) {}

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.queue.push(key);
  }

  /** Adds the key after delayMs. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Adds the key after its back-off: base × 2^failures, capped (client-go's ItemExponentialFailureRateLimiter). */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs));
  }

  /** The key succeeded: its back-off starts over. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Waits for the next key; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished with key; if it was added meanwhile, it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}

/**
 * Runs `workers` loops that take keys off the queue and reconcile them: the loop
 * every controller in the reference shares, so a controller file holds only its
 * reconcile logic (the shape of Kubernetes' sample-controller).
 */
export async function runWorkers(name: string, queue: WorkQueue, reconcile: (key: string) => Promise<void>, workers = 1): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        console.error(`${name}: reconciling ${key} failed, will retry: ${(err as Error).message}`);
        queue.addRateLimited(key);
      } finally {
        // Done lets the queue hand this key out again (it may have changed meanwhile).
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
