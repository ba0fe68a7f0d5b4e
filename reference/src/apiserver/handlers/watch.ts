// Serving a watch over HTTP: one JSON event per line, on a response that stays open.
//
// Two details matter to real clients (both measured with kubectl):
// - the response headers are flushed at once; kubectl's informers wait for them
//   before they consider the watch started, and hang otherwise;
// - `timeoutSeconds` ends the stream, after which clients reconnect with the last
//   resourceVersion they saw.

import type { KubeObject } from '../../api/types.ts';
import { toTable, wantsTable } from '../table.ts';
import type { ObjectFilter } from '../registry/filter.ts';
import { parseResourceVersion, watchObjects, type WatchEventType } from '../registry/watch.ts';
import type { RequestContext } from './context.ts';
import { integerParam } from '../http/query.ts';

/** Kubernetes' --min-request-timeout (1800 s); each watch gets a random share of up to twice that. */
const DEFAULT_TIMEOUT_SECONDS = 1800;

/** An object's JSON, made once however many watchers send it (watch events share their objects: registry/watch.ts). */
const jsonOnce = new WeakMap<object, string>();
function jsonOf(object: object): string {
  let json = jsonOnce.get(object);
  if (json === undefined) jsonOnce.set(object, (json = JSON.stringify(object)));
  return json;
}

export async function serveWatch(ctx: RequestContext, filter: ObjectFilter): Promise<void> {
  const { req, res, query, resource, info } = ctx;
  const asTable = wantsTable(req.headers.accept);
  // A timeoutSeconds that is not an integer is a 400 before the stream starts (ListOptions decoding).
  const requested = integerParam(query, 'timeoutSeconds') ?? 0;
  const timeoutSeconds = requested > 0 ? requested : DEFAULT_TIMEOUT_SECONDS * (1 + Math.random());

  const rv = query.get('resourceVersion') ?? undefined;
  if (rv && rv !== '0') parseResourceVersion(rv); // a bad value is a 400, before the stream starts
  let ended = false;
  let firstTable = true;
  // Events that come together leave together: one write per turn of the event
  // loop (one TLS record, one system call) instead of one per event.
  let pending: string[] = [];
  const flush = () => {
    if (!ended && !res.destroyed && pending.length) res.write(pending.join(''));
    pending = [];
  };
  const end = () => {
    if (ended) return;
    flush();
    ended = true;
    stop?.();
    clearTimeout(timer);
    res.end();
  };
  const send = (type: WatchEventType, object: unknown) => {
    if (ended) return;
    let payload = object;
    if (asTable && type !== 'ERROR' && type !== 'BOOKMARK') {
      // kubectl get -w expects each object as a one-row Table; columns are sent once.
      payload = toTable(resource, [object as KubeObject], { resourceVersion: (object as KubeObject).metadata.resourceVersion }, firstTable);
      firstTable = false;
    }
    if (!pending.length) setImmediate(flush);
    pending.push(`{"type":"${type}","object":${jsonOf(payload as object)}}\n`);
  };

  // Errors before this point (a bad resourceVersion) are answered as ordinary Status errors.
  let stop: (() => void) | undefined;
  const timer = setTimeout(end, timeoutSeconds * 1000);
  res.on('close', end);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  try {
    stop = await watchObjects(ctx.registry.store, resource, info.namespace, { filter, resourceVersion: rv }, { send, end });
    if (ended) stop();
  } catch (err) {
    // The stream has started: report the failure as an ERROR event, as the API server does.
    const status = (err as any)?.status ?? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String((err as Error).message), reason: 'InternalError', code: 500 };
    send('ERROR', status);
    end();
  }
}
