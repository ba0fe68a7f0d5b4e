// `kubelab starter --out DIR [--keep LAB…]`: writes the starter kit, the
// reference with each lab's code replaced by a TODO that throws
// (scripts/starter/ does the work).

import { resolve } from 'node:path';
import { generateStarter } from '../scripts/starter/generate.ts';

export interface StarterCommandOptions {
  out: string;
  keep?: string[];
}

export function starter(options: StarterCommandOptions): number {
  const keep = (options.keep ?? []).flatMap((lab) => lab.split(',')).filter(Boolean);
  const result = generateStarter({ out: resolve(options.out), keep });
  const labs = [...new Set(result.stubbed.map((r) => r.lab))].sort();
  process.stdout.write(`starter written to ${result.out}\n`);
  process.stdout.write(`  ${result.stubbed.length} TODOs in ${labs.length} labs: ${labs.join(', ') || 'none'}\n`);
  if (keep.length) process.stdout.write(`  kept as in the reference: ${keep.join(', ')} (${result.kept.length} regions)\n`);
  process.stdout.write(`  next: cd ${result.out} && npm install && npm run typecheck; then read its README.md\n`);
  return 0;
}
