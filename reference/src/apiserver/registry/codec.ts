// How objects are kept in the store, and how they come back out.
//
// The store holds JSON without metadata.resourceVersion: the resourceVersion is not
// part of the data but the revision of the write that stored it (etcd's modRevision),
// so it is filled in on the way out, exactly as Kubernetes' etcd3 storage does.

import type { KubeObject } from '../../api/types.ts';
import type { KeyValue } from '../../store/store.ts';

export function encode(obj: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

export function decode(kv: KeyValue, revision = kv.modRevision): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}
