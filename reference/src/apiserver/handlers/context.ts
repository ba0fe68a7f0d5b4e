// What every resource handler gets: the request, its parsed path, and the registry.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../resources.ts';
import type { RequestInfo } from '../http/request-info.ts';
import type { Registry } from '../registry/registry.ts';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: RequestInfo;
  resource: ResourceType;
  registry: Registry;
  /** The cluster's bearer token: the API server shows it to node agents when it proxies to them (pods/log). */
  token: string;
}

/** dryRun=All runs a write without storing it; any other value is an error (as in Kubernetes). */
export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  return values.includes('All');
}
