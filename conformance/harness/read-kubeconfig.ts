// Reads a kubeconfig's current context: the server, the CA that signed its
// certificate, and the user's credentials (a bearer token, or a client
// certificate and key). One reader for every cluster the harness did not start
// itself: the kubeconfig driver's, and the live view's.
//
// Relative file paths in a kubeconfig are relative to the kubeconfig's own folder:
// https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#file-references

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClusterCredentials {
  /** https://host:port of the API server. */
  server: string;
  /** PEM of the CA to trust; undefined: the system's CAs. */
  ca?: string;
  /** Skip verifying the server's certificate (insecure-skip-tls-verify: true). */
  insecure?: boolean;
  token?: string;
  /** PEM client certificate and key (mutual TLS), when the user has them instead of a token. */
  cert?: string;
  key?: string;
}

/** Reads the current context of a kubeconfig file. */
export function readKubeconfig(file: string): ClusterCredentials {
  const path = resolve(file);
  const base = dirname(path);
  const config = parse(readFileSync(path, 'utf8')) ?? {};
  const contextName = config['current-context'];
  const context = (config.contexts ?? []).find((c: any) => c.name === contextName)?.context;
  if (!context) throw new Error(`${path}: current-context "${contextName}" is not among its contexts`);
  const cluster = (config.clusters ?? []).find((c: any) => c.name === context.cluster)?.cluster;
  const user = (config.users ?? []).find((u: any) => u.name === context.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${path}: cluster "${context.cluster}" has no server`);

  // Each credential comes inline (…-data, base64) or as a file.
  const pem = (data: string | undefined, fileName: string | undefined) =>
    data ? Buffer.from(data, 'base64').toString('utf8') : fileName ? readFileSync(resolve(base, fileName), 'utf8') : undefined;
  const token = user.token ?? (user.tokenFile ? readFileSync(resolve(base, user.tokenFile), 'utf8').trim() : undefined);
  const credentials: ClusterCredentials = {
    server: String(cluster.server).replace(/\/+$/, ''),
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    token,
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
  };
  if (!credentials.token && !(credentials.cert && credentials.key)) {
    throw new Error(`${path}: user "${context.user}" has neither a token nor a client certificate and key`);
  }
  return credentials;
}
