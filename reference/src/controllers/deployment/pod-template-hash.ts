// Which pod template is this? A Deployment keeps one ReplicaSet per pod
// template it has had, and tells them apart in two ways:
//
// - by name: `<deployment>-<pod-template-hash>`, where the hash is a short
//   FNV-32a digest of the template (controller.ComputeHash in
//   pkg/controller/controller_utils.go), also set as the `pod-template-hash`
//   label on the ReplicaSet, its selector and its pod template, so that the
//   ReplicaSets of one Deployment never select each other's pods;
// - by content: the ReplicaSet whose template equals the Deployment's (the
//   hash label left aside) is the Deployment's current one (EqualIgnoreHash in
//   pkg/controller/deployment/util/deployment_util.go). That is how
//   `kubectl rollout undo`, which copies an old template back into the
//   Deployment, brings back the old ReplicaSet instead of making a new one.
//
// Kubernetes hashes and compares the Go structs. Here templates are JSON, so
// both work on a canonical form of it: keys sorted; nulls, empty objects and
// empty lists dropped (Go's semantic equality treats a missing list or map like
// an empty one, and `creationTimestamp: null` like none).

import type { KubeObject } from '../../api/types.ts';
import { byCreation } from './replica-sets.ts';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** A copy with keys sorted and nulls, {} and [] dropped; undefined when nothing is left. */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function withoutHashLabel(template: any): any {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return copy;
}

// LAB(deployments) begin: the same pod template, whatever its spelling (EqualIgnoreHash)
/** Whether two pod templates are the same once the pod-template-hash label is left aside. */
export function equalIgnoreHash(a: any, b: any): boolean {
  return JSON.stringify(canonical(withoutHashLabel(a)) ?? {}) === JSON.stringify(canonical(withoutHashLabel(b)) ?? {});
}

/** Which of rsList runs the Deployment's current template: the oldest such, if any (FindNewReplicaSet). */
export function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  // Oldest first: after an upgrade two ReplicaSets may share a template, and the choice must not flip.
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}
// LAB end

/** 32-bit FNV-1a (hash/fnv's New32a), continuing from `hash`. */
export function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Letters that never spell words (no vowels, no 0/1/3 that pass for o/l/e): rand.SafeEncodeString's alphabet. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Each character mapped into the safe alphabet (apimachinery/pkg/util/rand SafeEncodeString). */
export function safeEncodeString(s: string): string {
  return [...s].map((c) => ALPHANUMS[c.codePointAt(0)! % ALPHANUMS.length]).join('');
}

/**
 * The pod-template-hash of a template: FNV-32a of the canonical template,
 * then of collisionCount when the Deployment has one (8 bytes, little-endian),
 * written in decimal and encoded with the safe alphabet (ComputeHash).
 * collisionCount changes the hash when a ReplicaSet of the same name but
 * another template is in the way.
 */
export function computeHash(template: any, collisionCount?: number): string {
  let hash = fnv32a(new TextEncoder().encode(JSON.stringify(canonical(template) ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}
