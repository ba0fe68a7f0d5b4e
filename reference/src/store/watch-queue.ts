// One watcher's outbox, shared by the in-process stores (memory and SQLite).
//
// A store pushes events into the queue synchronously, at the moment it commits a
// write, always in revision order. The queue hands them to the watcher's handlers
// on a later microtask, so a handler never runs in the middle of the store's write
// (a handler may itself call the store). One queue per watcher, drained front to
// back: order is preserved, nothing is delivered twice.

import type { Watch, WatchEvent, WatchHandlers } from './store.ts';

export class WatchQueue implements Watch {
  private pending: WatchEvent[] = [];
  private failure: Error | undefined;
  private scheduled = false;
  private cancelled = false;

  /** onCancel lets the store forget this watcher once it is cancelled or failed. */
  constructor(
    private readonly handlers: WatchHandlers,
    private readonly onCancel: () => void,
  ) {}

  push(event: WatchEvent): void {
    if (this.cancelled || this.failure) return;
    this.pending.push(event);
    this.schedule();
  }

  /** Ends the watch with an error, delivered after any events already queued. */
  fail(error: Error): void {
    if (this.cancelled || this.failure) return;
    this.failure = error;
    this.schedule();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.pending = [];
    this.onCancel();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    // A handler may cancel the watch or cause more writes (which push more
    // events onto this same array); the loop handles both.
    while (!this.cancelled && this.pending.length > 0) {
      const event = this.pending.shift()!;
      this.handlers.onEvent(event);
    }
    if (!this.cancelled && this.failure) {
      const error = this.failure;
      this.cancel();
      this.handlers.onError(error);
    }
  }
}
