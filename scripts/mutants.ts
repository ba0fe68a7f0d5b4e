// The mutants run from the command line: applies each patch of
// conformance/mutants/ to a copy of the reference, runs the checks it lists,
// and prints which mutants the suite killed and the kill rate.
//
//   npx tsx scripts/mutants.ts                      # every mutant, two at a time
//   npx tsx scripts/mutants.ts 05 12-rollback       # the mutants whose id starts so
//   npx tsx scripts/mutants.ts --parallel 1 --baseline
//   npx tsx scripts/mutants.ts --survivors          # the known holes: do they still survive?
//
// --baseline first runs every listed check on an unpatched copy: they must all
// pass there, or a "kill" could be the copy's fault rather than the mutant's.
// Exit status 1 when a mutant survived or a run broke (never with --survivors).

import { parseArgs } from 'node:util';
import { copyReference, inParallel, loadMutants, removeCopy, runChecks, runMutant, summarize } from '../conformance/mutants/mutants.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    parallel: { type: 'string', default: '2' },
    baseline: { type: 'boolean', default: false },
    survivors: { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '300000' },
  },
});

async function main(): Promise<number> {
  const timeoutMs = Number(args['timeout-ms']);
  const mutants = loadMutants(args.survivors ? 'survivors' : 'mutants').filter((m) => positionals.length === 0 || positionals.some((p) => m.id.startsWith(p)));
  if (mutants.length === 0 && args.survivors && positionals.length === 0) {
    console.log('no known survivors: index.yaml lists none');
    return 0;
  }
  if (mutants.length === 0) throw new Error(`no mutant id starts with ${positionals.join(' or ')}`);

  if (args.baseline) {
    const checks = [...new Set(mutants.flatMap((m) => m.checks))];
    const copy = copyReference();
    try {
      const base = await runChecks(copy, checks, timeoutMs);
      console.log(`baseline (unpatched copy): ${base.passed.length} passed, ${base.failed.length} failed, ${base.skipped.length} skipped in ${(base.durationMs / 1000).toFixed(1)} s`);
      if (base.failed.length || base.skipped.length || base.error) {
        console.log(base.error ?? `not passing: ${[...base.failed, ...base.skipped.map((s) => `${s.id} (skipped: ${s.reason})`)].join(', ')}`);
        return 1;
      }
    } finally {
      removeCopy(copy);
    }
  }

  const results = await inParallel(mutants, Number(args.parallel), async (m) => {
    const r = await runMutant(m, timeoutMs);
    console.log(`${m.id}: ${r.verdict}${r.failed.length ? ` (${r.failed.join(', ')})` : ''} in ${(r.durationMs / 1000).toFixed(1)} s`);
    return r;
  });
  console.log(summarize(results));
  // A survivor that gets killed is good news (move it up in index.yaml), never a failure.
  return args.survivors || results.every((r) => r.verdict === 'killed') ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
