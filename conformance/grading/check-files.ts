// Where the checks live: conformance/checks/<lab>/<topic>.check.ts (or <topic>-<more>.check.ts).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHECKS_DIR = fileURLToPath(new URL('../checks/', import.meta.url));

/** Every check file, as absolute paths, in a stable order. */
export function checkFiles(dir = CHECKS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((lab) => readdirSync(join(dir, lab.name))
      .filter((name) => name.endsWith('.check.ts'))
      .map((name) => join(dir, lab.name, name)))
    .sort();
}
