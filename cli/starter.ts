// `kubelab starter --out DIR [--keep LAB…]`: writes the starter kit, the
// reference with each lab's code replaced by a TODO that throws
// (scripts/starter/ does the work). --keep leaves a lab's code in place, and
// the code of the labs it builds on (builds-on in its lab.yaml).

import { resolve } from 'node:path';
import { generateStarter, labsWithRegions } from '../scripts/starter/generate.ts';
import { keepPlan } from '../scripts/starter/lab-order.ts';

export interface StarterCommandOptions {
  out: string;
  keep?: string[];
}

export function starter(options: StarterCommandOptions): number {
  const asked = (options.keep ?? []).flatMap((lab) => lab.split(',')).filter(Boolean);
  const plan = keepPlan(asked, labsWithRegions());
  const result = generateStarter({ out: resolve(options.out), keep: plan.keep });
  const labs = [...new Set(result.stubbed.map((r) => r.lab))].sort();
  process.stdout.write(`starter written to ${result.out}\n`);
  process.stdout.write(`  ${result.stubbed.length} TODOs in ${labs.length} labs: ${labs.join(', ') || 'none'}\n`);
  if (asked.length) {
    const below = plan.below.length ? `, and what it builds on: ${plan.below.join(', ')}` : '';
    process.stdout.write(`  kept as in the reference: ${plan.keep.filter((l) => !plan.below.includes(l)).join(', ')}${below} (${result.kept.length} regions)\n`);
  }
  process.stdout.write(`  next: cd ${result.out} && npm install && npm run typecheck; then read its README.md\n`);
  return 0;
}
