// A loopback HTTP endpoint for the harness's own clients (checks in vitest
// workers, `kubelab disrupt`): it takes POSTs of JSON that carry its secret as a
// bearer token and refuses everything else, so nothing else on the machine can
// disrupt a cluster or take its lease. A body that is not JSON gets a 400, never
// an exception in the process that owns the clusters.

import http from 'node:http';
import { randomBytes } from 'node:crypto';

export interface SecretEndpoint {
  url: string;
  secret: string;
  close(): Promise<void>;
}

/** Calls `handle` with each authorised POST's parsed body; `handle` answers on `res`. */
export function startSecretEndpoint(handle: (body: unknown, res: http.ServerResponse) => void): Promise<SecretEndpoint> {
  const secret = randomBytes(16).toString('hex');
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${secret}` || req.method !== 'POST') {
      res.writeHead(403).end();
      return;
    }
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `the body is not JSON: ${(err as Error).message}` }));
        return;
      }
      handle(body, res);
    });
  });
  return new Promise((resolveEndpoint) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolveEndpoint({
        url: `http://127.0.0.1:${address.port}`,
        secret,
        // Leases are held open by their connections: close them too, or close() would wait for every check.
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}
