// The cluster's certificates: a CA, and a serving certificate for the API server
// signed by it, as kubeadm makes them. kubectl sends bearer tokens only over
// https, so even a teaching cluster needs TLS; the CA goes into the kubeconfig.
// Made once per data folder and reused, so a kubeconfig stays valid across restarts.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pki {
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export async function ensurePki(dir: string, hosts: string[]): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'ca.crt');
  const caKeyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'apiserver.crt');
  const keyFile = join(dir, 'apiserver.key');
  const hostsFile = join(dir, 'apiserver.hosts');
  const wanted = [...new Set(hosts)].sort().join(',');

  if (!existsSync(caFile) || !existsSync(caKeyFile)) {
    const ca = await generate([{ name: 'commonName', value: 'kubelab-ca' }], {
      keySize: 2048, algorithm: 'sha256', notAfterDate: new Date(Date.now() + TEN_YEARS_MS),
      extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }],
    });
    writeFileSync(caFile, ca.cert);
    writeFileSync(caKeyFile, ca.private, { mode: 0o600 });
  }
  const caPem = readFileSync(caFile, 'utf8');
  const sameHosts = existsSync(hostsFile) && readFileSync(hostsFile, 'utf8') === wanted;
  if (!existsSync(certFile) || !existsSync(keyFile) || !sameHosts) {
    const altNames = hosts.map((h) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
    const serving = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
      keySize: 2048, algorithm: 'sha256', notAfterDate: new Date(Date.now() + TEN_YEARS_MS),
      ca: { cert: caPem, key: readFileSync(caKeyFile, 'utf8') },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    });
    writeFileSync(certFile, serving.cert);
    writeFileSync(keyFile, serving.private, { mode: 0o600 });
    writeFileSync(hostsFile, wanted);
  }
  return { caFile, certFile, keyFile, caPem };
}
