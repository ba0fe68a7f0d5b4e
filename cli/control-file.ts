// The control file: how `kubelab disrupt` finds the cluster that `kubelab up`
// started. `kubelab up` serves the harness's control endpoint (the one checks
// use to kill a node or stop the scheduler) and writes its address and secret
// to <data-dir>/control.json, readable by its owner only: whoever can read the
// secret can stop the cluster's processes. The file goes when the cluster stops.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Cluster } from '../conformance/harness/cluster.ts';
import { startControlServer } from '../conformance/harness/control-server.ts';

export const CONTROL_FILE = 'control.json';

/** The default data folder of `kubelab up`, relative to where it was started. */
export const DEFAULT_DATA_DIR = '.kubelab';

/** Names the data folder of a running `kubelab up` for `kubelab disrupt`, when it is not found by itself. */
export const DATA_DIR_ENV = 'KUBELAB_DIR';

export interface ControlAddress {
  url: string;
  secret: string;
}

export interface ServedControl extends ControlAddress {
  /** Where control.json was written. */
  file: string;
  /** Stops the endpoint and removes control.json. */
  close(): Promise<void>;
}

/** Serves the control endpoint of `cluster` and writes <dataDir>/control.json (mode 0600). */
export async function serveControl(cluster: Cluster, dataDir: string): Promise<ServedControl> {
  const endpoint = await startControlServer(cluster);
  const file = join(resolve(dataDir), CONTROL_FILE);
  // Remove first: writeFileSync keeps the mode of a file that already exists.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify({ url: endpoint.url, secret: endpoint.secret }, null, 2)}\n`, { mode: 0o600 });
  return {
    url: endpoint.url,
    secret: endpoint.secret,
    file,
    async close() {
      rmSync(file, { force: true });
      await endpoint.close();
    },
  };
}

/**
 * The data folder to look in: the one given, else $KUBELAB_DIR, else the
 * nearest `.kubelab` holding a control.json in this folder or one above it
 * (a lesson runs in labs/07-failures, the cluster's data is in the course folder).
 * Undefined when none is found.
 */
export function findDataDir(given: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (given) return resolve(cwd, given);
  if (env[DATA_DIR_ENV]) return resolve(cwd, env[DATA_DIR_ENV]!);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, DEFAULT_DATA_DIR, CONTROL_FILE))) return join(dir, DEFAULT_DATA_DIR);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Reads <dataDir>/control.json; undefined when there is none (no cluster running there). */
export function readControl(dataDir: string): ControlAddress | undefined {
  const file = join(dataDir, CONTROL_FILE);
  if (!existsSync(file)) return undefined;
  const { url, secret } = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof url !== 'string' || typeof secret !== 'string') throw new Error(`${file} has no url and secret`);
  return { url, secret };
}
