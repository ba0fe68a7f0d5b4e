// Picks a store backend from a short text spec, such as a command-line flag value
// ("etcd://127.0.0.1:2379"). The rest of the system only sees the Store interface.
//
//   memory                 nothing saved; gone when the process exits
//   sqlite                 <dataDir>/state.db (the default)
//   sqlite:/path/file.db   that file
//   etcd://host:port       a real etcd, as Kubernetes uses

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

const ACCEPTED = 'memory, sqlite, sqlite:/path/to/file.db, etcd://host:port';

export async function openStore(spec = 'sqlite', dataDir = '.kubelab'): Promise<Store> {
  if (spec === 'memory') return new MemoryStore();

  if (spec === 'sqlite' || spec.startsWith('sqlite:')) {
    const file = spec === 'sqlite' ? join(dataDir, 'state.db') : spec.slice('sqlite:'.length);
    if (file === '') throw new Error(`store "${spec}": missing file name; accepted forms: ${ACCEPTED}`);
    mkdirSync(dirname(file), { recursive: true });
    return new SqliteStore(file);
  }

  if (spec.startsWith('etcd://')) {
    const hostPort = spec.slice('etcd://'.length);
    if (!/^[^/:]+:\d+$/.test(hostPort)) {
      throw new Error(`store "${spec}": expected etcd://host:port; accepted forms: ${ACCEPTED}`);
    }
    // Loaded only when asked for: the etcd client (gRPC, protobuf) takes half a
    // second to load, a third of the API server's start-up.
    const { EtcdStore } = await import('./etcd.ts');
    const store = new EtcdStore(`http://${hostPort}`);
    // Fail now, with a clear message, rather than at the first request.
    try {
      await store.currentRevision();
    } catch (error) {
      await store.close();
      throw new Error(`cannot reach etcd at ${hostPort}: ${(error as Error).message}`);
    }
    return store;
  }

  throw new Error(`unknown store "${spec}"; accepted forms: ${ACCEPTED}`);
}
