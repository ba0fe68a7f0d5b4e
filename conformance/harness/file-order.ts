// The order in which vitest starts test files (vitest.config.ts, `sequence.sequencer`).
// Files run a few at a time, so a long file started last keeps the whole run
// waiting for it alone at the end. vitest's own order puts the files that took
// longest last time first, but a fresh checkout (a CI machine) has no last time,
// and then it keeps the files in path order. So:
// - conformance checks: the checks that need a cluster to themselves (`exclusive`,
//   or a disruption: conformance/lib/exclusive.ts) run one per extra cluster, so
//   together they are the run's longest chain, and they must start at once and
//   follow each other without a gap: their files come early, the longest first
//   (the node-loss checks wait longest, and say so in their timeoutMs). But a file
//   holds its worker thread while its checks wait for a cluster, and only one
//   exclusive check runs on each extra cluster: with every such file first, the
//   threads all waited on the two extra clusters while the main one stood idle for
//   the first quarter of the run. So a few lead (one more than there are extra
//   clusters, so one always waits for the next free cluster), and the others come
//   one after every few files of shared checks.
// - the project's own tests (npm test): the files that take minutes go first,
//   longest first, so that the two at a time end together.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { DISRUPTS_CLUSTER } from '../lib/exclusive.ts';
import { clusterLimit } from './run-limits.ts';

/** The unit test files that take minutes, longest first (measured in `npm test` on two cores). */
const LONG_UNIT_FILES = [
  'tests/mutants/mutants.test.ts',
  'tests/starter/starter.test.ts',
  'tests/labs/try-it.test.ts',
  'tests/durability/control-plane-crash.test.ts',
  'tests/cli/conformance.test.ts',
  'tests/live/live-view.test.ts',
  'tests/harness/container-driver.test.ts',
  'tests/site/browser.test.ts',
  'tests/grading/do-nothing.test.ts',
  'tests/grading/grade-cli.test.ts',
];

/** Shared-check files between two exclusive-check files after the first few. */
const SHARED_FILES_BETWEEN = 3;

/** `exclusive:` set to anything but false (api/crud computes it), or a disruption of the whole cluster in `needs`. */
const EXCLUSIVE = new RegExp(`\\bexclusive:\\s*(?!false\\b)|needs:\\s*\\[[^\\]]*'(${[...DISRUPTS_CLUSTER].join('|')})'`);

/**
 * For a check file: undefined when none of its checks needs a cluster to itself,
 * else how long it may take, read as its longest timeoutMs (30 s, the default, when it names none).
 */
export function exclusiveWeight(file: string): number | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!EXCLUSIVE.test(source)) return undefined;
  const timeouts = [...source.matchAll(/timeoutMs:\s*([\d_]+)/g)].map((m) => Number(m[1].replaceAll('_', '')));
  return Math.max(30_000, ...timeouts);
}

/** `lead` exclusive files, then `between` shared files and one exclusive file, in turn, until both run out. */
export function interleave<T>(exclusive: T[], shared: T[], lead: number, between = SHARED_FILES_BETWEEN): T[] {
  const order = exclusive.slice(0, lead);
  let e = lead;
  let s = 0;
  while (e < exclusive.length || s < shared.length) {
    order.push(...shared.slice(s, s + between));
    s += between;
    if (e < exclusive.length) order.push(exclusive[e++]);
  }
  return order;
}

export default class FileOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (spec: TestSpecification) => relative(this.ctx.config.root, spec.moduleId);
    const checks = sorted.filter((spec) => path(spec).endsWith('.check.ts'));
    const others = sorted.filter((spec) => !path(spec).endsWith('.check.ts'));
    // Unit files: the long ones first, in LONG_UNIT_FILES' order (Array.prototype.sort is stable).
    const rank = (spec: TestSpecification) => {
      const long = LONG_UNIT_FILES.indexOf(path(spec));
      return long >= 0 ? long : LONG_UNIT_FILES.length;
    };
    others.sort((a, b) => rank(a) - rank(b));
    const weights = new Map(checks.map((spec) => [spec, exclusiveWeight(spec.moduleId)]));
    const exclusive = checks.filter((spec) => weights.get(spec) !== undefined).sort((a, b) => weights.get(b)! - weights.get(a)!);
    const shared = checks.filter((spec) => weights.get(spec) === undefined);
    // Extra clusters exist only with the process driver (clusterLimit); the others take turns on one cluster.
    const driver = process.env.KUBELAB_KUBECONFIG ? 'kubeconfig' : process.env.KUBELAB_DRIVER ?? 'process';
    const extras = clusterLimit(driver) - 1;
    return [...others, ...interleave(exclusive, shared, extras + 1)];
  }
}
