// Shared informers: one informer per kind for the whole controller manager
// (client-go's SharedInformerFactory). The ReplicaSet, Deployment and
// Endpoints controllers all watch pods; they share one watch and one cache
// instead of opening three.

import type { KubeObject } from '../api/types.ts';
import type { ApiClient } from '../client/api-client.ts';
import { Informer } from '../client/informer.ts';
import type { ResourceRef } from '../client/paths.ts';

export class SharedInformers {
  private readonly informers = new Map<string, Informer>();

  constructor(private readonly client: ApiClient) {}

  /** The informer of one kind, made on first use. */
  for<T extends KubeObject = KubeObject>(resource: ResourceRef): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.plural}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer(this.client, resource);
      this.informers.set(key, informer);
    }
    return informer as Informer<T>;
  }

  /** Starts every informer asked for so far; resolves when all have their first list. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.start()));
  }

  stop(): void {
    for (const informer of this.informers.values()) informer.stop();
  }
}
