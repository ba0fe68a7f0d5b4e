// The API server process: read the cluster contract's environment, open the
// store, create the system namespaces, serve the Kubernetes API.
//
// Environment (set by the harness or `kubelab up`, see DESIGN.md "cluster contract"):
//   KUBELAB_API_PORT, KUBELAB_API_URL      where to listen
//   KUBELAB_TOKEN                          the bearer token clients must send
//   KUBELAB_TLS_CERT, KUBELAB_TLS_KEY      serving certificate and key (files)
//   KUBELAB_DATA_DIR                       where the sqlite store keeps its file
//   KUBELAB_STORE                          sqlite (default) | memory | etcd://host:port
//   KUBELAB_SERVICE_CIDR, KUBELAB_NODEPORT_RANGE
//   KUBELAB_PROFILE                        timing profile (JSON file)

import { readFileSync } from 'node:fs';
import { openStore } from '../store/open.ts';
import { loadProfile } from '../config/profile.ts';
import { Registry } from './registry/registry.ts';
import { createApiServer } from './server.ts';
import { bootstrap } from './bootstrap.ts';
import { startCompactor } from './compactor.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`apiserver: ${name} is not set (the harness or \`kubelab up\` sets it)`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const port = Number(required('KUBELAB_API_PORT'));
  const host = process.env.KUBELAB_API_URL ? new URL(process.env.KUBELAB_API_URL).hostname : '127.0.0.1';
  const token = required('KUBELAB_TOKEN');
  const certFile = process.env.KUBELAB_TLS_CERT;
  const keyFile = process.env.KUBELAB_TLS_KEY;
  const tls = certFile && keyFile ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : undefined;
  const profile = loadProfile(process.env.KUBELAB_PROFILE);

  const store = await openStore(process.env.KUBELAB_STORE ?? 'sqlite', process.env.KUBELAB_DATA_DIR ?? '.kubelab');
  const registry = new Registry(store, {
    serviceCIDR: process.env.KUBELAB_SERVICE_CIDR ?? '127.96.0.0/16',
    nodePortRange: process.env.KUBELAB_NODEPORT_RANGE ?? '30000-32767',
  }, { defaultTolerationSeconds: profile.defaultTolerationSeconds });
  await bootstrap(registry, host, port);
  const stopCompactor = startCompactor(store, profile.etcdCompactionIntervalSeconds);

  const server = createApiServer({
    registry, token, tls,
    ready: async () => {
      try {
        await store.currentRevision();
        return true;
      } catch {
        return false;
      }
    },
  });
  server.listen(port, host, () => {
    console.log(`apiserver: serving the Kubernetes API on ${tls ? 'https' : 'http'}://${host}:${port} (store: ${process.env.KUBELAB_STORE ?? 'sqlite'})`);
  });

  const shutdown = async (signal: string) => {
    console.log(`apiserver: ${signal}, shutting down`);
    stopCompactor();
    server.close();
    server.closeAllConnections();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('apiserver: failed to start:', err);
  process.exit(1);
});
