// `kubelab site build` and `kubelab site serve`: the lesson site (site/README.md).
// `kubelab up --site` (what `npm start` runs) serves it beside the cluster.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSite, DEFAULT_OUT, type BuildResult } from '../site/src/build.ts';
import { serveSite, type SiteServer } from '../site/src/serve.ts';

export const DEFAULT_GRADE = 'kubelab-grade/grade.json';
export const DEFAULT_SITE_PORT = 4000;

function reportBuild(result: BuildResult): void {
  for (const warning of result.warnings) process.stderr.write(`kubelab site: warning: ${warning}\n`);
  console.log(`kubelab site: built ${result.pages.length} pages into ${result.out} in ${(result.durationMs / 1000).toFixed(1)} s`);
}

export async function siteBuild(options: { out?: string }): Promise<number> {
  reportBuild(await buildSite({ out: resolve(options.out ?? DEFAULT_OUT) }));
  return 0;
}

export interface SiteServeOptions {
  out?: string;
  port: number;
  host: string;
  /** A grade.json; default kubelab-grade/grade.json in the current folder, when it exists. */
  grade?: string;
  /** Serve what is in --out without building it first. */
  build?: boolean;
}

/** Builds (unless told not to) and serves the site; resolves once it listens. */
export async function startSite(options: SiteServeOptions): Promise<SiteServer> {
  const dir = resolve(options.out ?? DEFAULT_OUT);
  if (options.build !== false) reportBuild(await buildSite({ out: dir }));
  else if (!existsSync(resolve(dir, 'index.html'))) throw new Error(`${dir} holds no site: run kubelab site build first`);
  const gradeFile = resolve(options.grade ?? DEFAULT_GRADE);
  if (options.grade && !existsSync(gradeFile)) throw new Error(`no grade file at ${gradeFile}`);
  const server = await serveSite({ dir, port: options.port, host: options.host, gradeFile });
  const shown = existsSync(gradeFile) ? ` (showing the grade in ${gradeFile})` : '';
  console.log(`kubelab: the lesson site is at ${server.url}${shown}`);
  return server;
}
