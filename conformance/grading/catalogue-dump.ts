// Prints the check catalogue as JSON on stdout: every check's id, title, lab,
// points, needs and cites, and the file that defines it. Run in a process of
// its own by catalogue.ts (`node --import tsx catalogue-dump.ts`).
//
// Why importing works without running anything: `check()` (conformance/lib/check.ts)
// pushes its metadata onto CATALOGUE and then calls vitest's `test`. A module
// hook swaps vitest for a stand-in whose `test` does nothing, so importing a
// check file defines its checks and runs no check body and starts no cluster.
// The same code that vitest loads produces the ids, so ids built in a loop
// (api.crud.<kind>) are found as well as literal ones.

import { register } from 'node:module';
import { relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { checkFiles } from './check-files.ts';

register('./catalogue-hooks.mjs', import.meta.url);

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { CATALOGUE } = await import('../lib/check.ts');
const entries = [];
for (const file of checkFiles()) {
  const before = CATALOGUE.length;
  await import(pathToFileURL(file).href);
  for (const meta of CATALOGUE.slice(before)) entries.push({ ...meta, file: relative(REPO_ROOT, file) });
}
process.stdout.write(JSON.stringify(entries));
