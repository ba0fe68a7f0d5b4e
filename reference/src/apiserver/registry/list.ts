// LIST: every object of a kind (in one namespace or all), filtered by label and
// field selectors, optionally in pages (limit + continue).
//
// A list carries metadata.resourceVersion: the store revision it was read at.
// A client watches from there and misses nothing (the list-then-watch pattern
// every informer uses). Pages of one list are all read at that same revision,
// so paging gives one consistent snapshot, as in Kubernetes.

import type { KubeObject } from '../../api/types.ts';
import { CompactedError, type Store } from '../../store/store.ts';
import { badRequest, expired } from '../errors.ts';
import { storagePrefix, type ResourceType } from '../resources.ts';
import { decode } from './codec.ts';
import type { ObjectFilter } from './filter.ts';

export interface ListQuery {
  filter: ObjectFilter;
  limit?: number;
  continueToken?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
}

interface ContinueState {
  /** The revision the first page was read at. */
  rv: number;
  /** The last key returned so far. */
  start: string;
}

function encodeContinue(state: ContinueState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeContinue(token: string): ContinueState {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof state.rv === 'number' && typeof state.start === 'string') return state;
  } catch { /* fall through */ }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export async function listObjects(store: Store, resource: ResourceType, namespace: string | undefined, query: ListQuery): Promise<ListPage> {
  const prefix = storagePrefix(resource, namespace);
  const state = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  const limit = query.limit && query.limit > 0 ? query.limit : undefined;
  const revision = state?.rv ?? (await store.currentRevision());
  let startAfter = state ? prefix + state.start : undefined;
  const items: KubeObject[] = [];

  try {
    // Read in batches until the page is full: selectors may drop most of a batch.
    for (;;) {
      const batchSize = limit ? Math.max(limit - items.length, 100) : undefined;
      const page = await store.list(prefix, { revision, startAfter, limit: batchSize });
      for (const kv of page.items) {
        startAfter = kv.key;
        const obj = decode(kv);
        if (!query.filter.matches(obj)) continue;
        items.push(obj);
        if (limit && items.length === limit) {
          const more = page.more || kv !== page.items[page.items.length - 1];
          return {
            items, resourceVersion: String(revision),
            continueToken: more ? encodeContinue({ rv: revision, start: kv.key.slice(prefix.length) }) : undefined,
          };
        }
      }
      if (!page.more) break;
    }
  } catch (err) {
    if (err instanceof CompactedError) {
      throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    throw err;
  }
  return { items, resourceVersion: String(revision) };
}
