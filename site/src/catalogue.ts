// The check catalogue for the site, read by the grader's own mechanism
// (conformance/grading/catalogue-dump.ts, run in a child process), but without
// blocking: `npm start` builds the site while the cluster starts.
//
// Importing every check file takes seconds, so the build keeps the result in
// its output folder with a fingerprint of the suite's sources (paths, sizes
// and modification times); while they are unchanged, the next build reuses it.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import { SiteBuildError } from './errors.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DUMP = fileURLToPath(new URL('../../conformance/grading/catalogue-dump.ts', import.meta.url));
/** What the catalogue is made from: the check files and the library they use. */
const SOURCES = ['conformance/checks', 'conformance/lib', 'conformance/harness/cluster.ts'];

export interface Catalogue {
  entries: CatalogueEntry[];
  /** What to keep for the next build (see readCatalogue). */
  cache: string;
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const source of SOURCES) {
    const path = join(REPO_ROOT, source);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, encoding: 'utf8' }).map((f) => join(path, f)).sort()
      : [path];
    for (const file of files) {
      const stat = statSync(file);
      if (stat.isFile()) hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

async function dump(): Promise<CatalogueEntry[]> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', DUMP], {
      cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as CatalogueEntry[];
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new SiteBuildError(`could not read the check catalogue (a check file failed to load):\n${stderr.trim()}`);
  }
}

/** The catalogue: from `cacheFile` when the suite has not changed since it was written, else from the check files. */
export async function readCatalogue(cacheFile: string): Promise<Catalogue> {
  const print = fingerprint();
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { fingerprint: string; entries: CatalogueEntry[] };
    if (cached.fingerprint === print && Array.isArray(cached.entries)) return { entries: cached.entries, cache: JSON.stringify(cached) };
  } catch {
    // no cache yet, or an unreadable one: read the check files
  }
  const entries = await dump();
  return { entries, cache: JSON.stringify({ fingerprint: print, entries }) };
}
