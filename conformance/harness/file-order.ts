// The order in which vitest starts test files (vitest.config.ts, `sequence.sequencer`).
// Files run a few at a time, so a long file started last keeps the whole run
// waiting for it alone at the end. vitest's own order puts the files that took
// longest last time first, but a fresh checkout (a CI machine) has no last time,
// and then it keeps the files in path order. So:
// - conformance checks: files with a check that needs a cluster to itself
//   (`exclusive`, or a disruption: conformance/lib/check.ts) go first. Such
//   checks run one per extra cluster, so together they are the run's longest
//   chain; the checks that share the main cluster fill in around them.
// - the project's own tests (npm test): the files that take minutes go first,
//   longest first, so that the two at a time end together.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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

/** Whether a check file declares a check that needs a cluster to itself. */
function hasExclusiveCheck(file: string): boolean {
  try {
    return /exclusive:\s*true|needs:\s*\[/.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

export default class FileOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const path = relative(this.ctx.config.root, spec.moduleId);
      const long = LONG_UNIT_FILES.indexOf(path);
      if (long >= 0) return long;
      if (path.endsWith('.check.ts') && hasExclusiveCheck(spec.moduleId)) return LONG_UNIT_FILES.length;
      return LONG_UNIT_FILES.length + 1;
    };
    // Array.prototype.sort is stable: within a rank, vitest's order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
