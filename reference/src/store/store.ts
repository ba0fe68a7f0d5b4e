// The store: a revisioned key/value log with watch, in etcd's model.
//
// Every write (create, update, delete) bumps one global revision and returns it.
// A key remembers the revision that created it (createRevision) and the one that
// last changed it (modRevision); the API server exposes modRevision as an object's
// metadata.resourceVersion, and the highest revision as a list's resourceVersion.
//
// Only the API server talks to the store (DESIGN principle 2).

/** One stored value and the revisions that describe its history. */
export interface KeyValue {
  key: string;
  /** The stored bytes, as text (the API server stores JSON). */
  value: string;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the write that last changed this key. */
  modRevision: number;
}

/** A change seen by a watcher. */
export type WatchEvent =
  | { type: 'put'; kv: KeyValue; prevKv?: KeyValue }
  /** kv is the value as it was just before deletion; revision is the deleting write. */
  | { type: 'delete'; kv: KeyValue; revision: number };

export interface ListOptions {
  /** Read the state as of this revision (default: the current revision). Older than the compacted revision → CompactedError. */
  revision?: number;
  /** Only keys strictly greater than this one (for paging). */
  startAfter?: string;
  /** At most this many items. */
  limit?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the list short. */
  more: boolean;
}

export interface Watch {
  /** Stops delivering events; safe to call twice. */
  cancel(): void;
}

export interface WatchHandlers {
  onEvent(event: WatchEvent): void;
  /** The watch ended because of an error (for example CompactedError); no more events follow. */
  onError(error: Error): void;
}

export interface Store {
  /** The highest revision written so far (0 for an empty store). */
  currentRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Every key that starts with prefix, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Fails with KeyExistsError when the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Compare-and-swap: writes only if the key's modRevision equals expectedModRevision.
   * Fails with NotFoundError when the key is missing, ConflictError when it changed.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Deletes the key (only if its modRevision equals expectedModRevision, when given) and
   * returns the value it had, with the revision of the delete.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }>;
  /**
   * Delivers every change to keys under prefix with a revision greater than
   * afterRevision, in revision order, then follows live changes. If some of that
   * history was compacted away (afterRevision + 1 < compactedRevision()), onError
   * gets a CompactedError.
   */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch;
  /**
   * Forgets history before revision, as etcd's compact does: a read at revision still
   * works, a read at an older revision or a watch that needs an older change fails
   * with CompactedError. The current value of every live key is always kept.
   */
  compact(revision: number): Promise<void>;
  /** The lowest revision that can still be watched from or read at. */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key already exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class NotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(readonly key: string, readonly expected: number, readonly actual: number) {
    super(`key ${key} changed: expected revision ${expected}, found ${actual}`);
    this.name = 'ConflictError';
  }
}

/** The requested revision is older than the compacted revision (etcd's ErrCompacted, Kubernetes' 410 Expired). */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}
