// The check catalogue: every check's id, title, lab, points, needs and cites,
// read without running any check and without starting a cluster.
//
// The check files are imported in a child process whose `vitest` import is a
// stand-in (catalogue-dump.ts says why that works); reading them in this
// process is not possible because vitest's `test` only works inside a vitest run.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CheckMeta } from '../lib/check.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DUMP = fileURLToPath(new URL('./catalogue-dump.ts', import.meta.url));

export interface CatalogueEntry extends CheckMeta {
  /** The check file, relative to the repository root. */
  file: string;
}

export function loadCatalogue(): CatalogueEntry[] {
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, ['--import', 'tsx', DUMP], {
      cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`could not read the check catalogue (a check file failed to load):\n${stderr.trim()}`);
  }
  return JSON.parse(stdout) as CatalogueEntry[];
}
