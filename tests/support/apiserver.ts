// An API server in the test process, on a free loopback port, over plain http
// with a memory store: for tests of the server itself (the conformance checks
// reach the reference through the harness instead, over https).

import type { AddressInfo } from 'node:net';
import { MemoryStore } from '../../reference/src/store/memory.ts';
import { Registry } from '../../reference/src/apiserver/registry/registry.ts';
import { createApiServer } from '../../reference/src/apiserver/server.ts';
import { bootstrap } from '../../reference/src/apiserver/bootstrap.ts';
import { rawRequest, openWatch, type RawRequest } from '../../conformance/harness/raw-client.ts';

export const TEST_TOKEN = 'test-token';

export async function startTestApiServer() {
  const store = new MemoryStore();
  const registry = new Registry(store, { serviceCIDR: '127.97.0.0/16', nodePortRange: '30000-32767' });
  const server = createApiServer({ registry, token: TEST_TOKEN });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await bootstrap(registry, '127.0.0.1', port);
  const endpoint = { apiUrl: `http://127.0.0.1:${port}`, token: TEST_TOKEN };
  return {
    store,
    registry,
    endpoint,
    request: (req: RawRequest) => rawRequest(endpoint, req),
    watch: (path: string) => openWatch(endpoint, path),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}
