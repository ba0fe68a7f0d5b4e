// `kubelab grade`: run the checks of the labs (labs/NN-topic/lab.yaml) against
// an implementation and write its grade: grade.json, junit.xml, summary.md and
// a Gradescope results.json (conformance/README.md, "Labs and grades").
//
// Exit status: 0 when grading ran, whatever the score; 1 when --min-score is
// given and the score is below it; 2 when grading could not run (a bad
// kubelab.yaml or lab.yaml, a cluster that did not start).

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseSeed, runChecks } from './conformance.ts';
import { readContract } from '../conformance/harness/contract.ts';
import { loadCatalogue } from '../conformance/grading/catalogue.ts';
import { readLabs, selectLabs, validateLabs } from '../conformance/grading/lab-files.ts';
import { scoreLabs, type Grade } from '../conformance/grading/scoring.ts';
import { GradeCollector } from '../conformance/grading/collector.ts';
import { belowMinScore, parseMinScore } from '../conformance/grading/min-score.ts';
import { writeReports } from '../conformance/grading/writers/write-reports.ts';
import { consoleSummary } from '../conformance/grading/writers/console-summary.ts';
import { needsCatalogue, selectChecks } from './selection.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface GradeOptions {
  impl?: string;
  kubeconfig?: string;
  driver?: 'process' | 'container' | 'kind';
  lab?: string;
  out: string;
  minScore?: string;
  nodes?: number;
  profile: string;
  grep?: string;
  rerunFailed?: boolean;
  seed?: number;
}

/** Why a check of the graded labs did not run: the selection left it out (it earns nothing, and says so). */
function notSelected(options: GradeOptions): string {
  const by = [options.grep !== undefined ? `--grep ${options.grep}` : '', options.rerunFailed ? '--rerun-failed (it did not fail in the last run)' : ''];
  return `not run: not selected by ${by.filter(Boolean).join(' and ')}`;
}

/** Grading could not run: the grade would say nothing about the implementation. */
export class GradingError extends Error {}

export async function grade(options: GradeOptions): Promise<number> {
  const minScore = options.minScore !== undefined ? parseMinScore(options.minScore) : undefined;
  // A missing or broken kubelab.yaml is the first thing to say, before the catalogue is read.
  if (!options.kubeconfig) readContract(options.impl ?? REPO_ROOT);
  const catalogue = loadCatalogue();
  const labs = readLabs();
  validateLabs(labs, catalogue);
  const chosen = selectLabs(labs, options.lab);

  const graded = chosen.flatMap((lab) => lab.steps.flatMap((step) => step.checks));
  // --grep and --rerun-failed narrow the graded checks; the others are reported as not run.
  const selected = needsCatalogue(options)
    ? selectChecks(options, catalogue.filter((c) => graded.includes(c.id)))
    : undefined;

  const collector = new GradeCollector();
  collector.timelineDir = resolve(options.out); // a failed check's timeline-<id>.html beside grade.json
  const startedAt = Date.now();
  const seed = chooseSeed(options.seed);
  await runChecks({
    impl: options.impl, kubeconfig: options.kubeconfig, driver: options.driver, nodes: options.nodes, profile: options.profile, seed,
    // The whole suite is every lab's checks (validated above); one lab or a selection names its checks by id.
    check: selected ?? (options.lab ? graded : undefined),
  }, collector);
  if (collector.reported === 0) {
    const errors = collector.runErrors.length ? `:\n${collector.runErrors.join('\n')}` : ' (see the output above)';
    throw new GradingError(`no check ran, so there is nothing to grade${errors}`);
  }

  const grade: Grade = {
    kind: 'KubelabGrade',
    version: 1,
    implementation: options.kubeconfig ? `cluster from ${resolve(options.kubeconfig)}` : resolve(options.impl ?? REPO_ROOT),
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    ...scoreLabs(chosen, catalogue, [
      ...collector.results(),
      ...(selected ? graded.filter((id) => !selected.includes(id)).map((id) => ({ id, status: 'skipped' as const, message: notSelected(options) })) : []),
    ]),
  };
  const outDir = resolve(options.out);
  writeReports(grade, outDir);
  // Colours only for a person at a terminal (https://no-color.org turns them off there too).
  process.stdout.write(consoleSummary(grade, process.stdout.isTTY === true && !process.env.NO_COLOR));
  process.stdout.write(`  reports: ${outDir} (grade.json, junit.xml, summary.md, results.json)\n`);
  process.stdout.write(`  seed: ${seed} (--seed ${seed} replays any randomised input)\n`);

  const below = minScore && belowMinScore(minScore, grade.score, grade.maxScore);
  if (below) {
    process.stdout.write(`\nkubelab grade: FAILED: ${below}\n`);
    return 1;
  }
  return 0;
}
