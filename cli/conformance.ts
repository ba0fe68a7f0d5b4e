// `kubelab conformance`: run the checks against an implementation (or an
// existing cluster) and report them for a person (pretty) or a machine (json, junit).

import { readdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';
import { startVitest } from 'vitest/node';
import { readContract } from '../conformance/harness/contract.ts';
import { abortRun } from '../conformance/harness/abort.ts';
import { PrettyReporter } from '../conformance/report/pretty-reporter.ts';
import { JsonReporter, JunitReporter } from '../conformance/report/machine-reporters.ts';
import type { CollectingReporter } from '../conformance/report/outcomes.ts';
import { checkFiles } from '../conformance/grading/check-files.ts';
import { exclusiveWeight } from '../conformance/harness/file-order.ts';
import { loadCatalogue } from '../conformance/grading/catalogue.ts';
import { failedEntries, needsCatalogue, selectChecks, writeLastRun } from './selection.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ConformanceOptions {
  impl?: string;
  kubeconfig?: string;
  /** process (default) or container: how an implementation is started (not with kubeconfig). */
  driver?: 'process' | 'container' | 'kind';
  lab?: string;
  check?: string[];
  reporter: 'pretty' | 'json' | 'junit';
  out?: string;
  nodes?: number;
  profile: string;
  /** Only the checks whose id or title matches this regular expression (case-insensitive). */
  grep?: string;
  /** Only the checks that failed in the last run (.kubelab/last-run.json). */
  rerunFailed?: boolean;
  /** Run each selected check this many times and report its pass rate. */
  repeat?: number;
  /** Seed of any randomised input; printed with every run so that it can be replayed. */
  seed?: number;
}

/** What a run reports as the implementation it checked. */
export function implementationOf(options: Pick<ConformanceOptions, 'impl' | 'kubeconfig'>): string {
  return options.kubeconfig ? `cluster from ${resolve(options.kubeconfig)}` : resolve(options.impl ?? REPO_ROOT);
}

/** The seed a run uses: the one given with --seed, else a new one (printed, so the run can be replayed). */
export function chooseSeed(seed?: number): number {
  return seed ?? randomInt(1, 2 ** 31);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The check files to load: a check `<lab>.<topic>.<name>` lives in
 * conformance/checks/<lab>/<topic>.check.ts or <topic>-<more>.check.ts (a topic
 * too big for one file), so a selection need not load the rest. Filters match
 * file paths by prefix.
 */
function fileFilters(options: Pick<ConformanceOptions, 'lab' | 'check'>): string[] {
  if (options.check?.length) {
    return [...new Set(options.check.map((id) => {
      const [lab, topic] = id.split('.');
      return topic ? `conformance/checks/${lab}/${topic}` : `conformance/checks/${lab}/`;
    }))];
  }
  if (options.lab) return [`conformance/checks/${options.lab}/`];
  return [];
}

/**
 * How many of the selected check files have a check that needs a cluster to
 * itself: the harness starts that many extra clusters (up to its limit) with the
 * main one (cluster-pool.ts, prestart). 0 for a selection of single checks, whose
 * files may hold such checks that do not run; those clusters start when asked.
 */
function exclusiveFiles(options: Pick<ConformanceOptions, 'lab' | 'check'>): number {
  if (options.check?.length) return 0;
  const filters = fileFilters(options);
  return checkFiles()
    .filter((file) => !filters.length || filters.some((filter) => relative(REPO_ROOT, file).startsWith(filter)))
    .filter((file) => exclusiveWeight(file) !== undefined).length;
}

/** Check names are "<id>: <title>", and ids start with their lab: select by either. */
function namePattern(options: Pick<ConformanceOptions, 'lab' | 'check'>): string | undefined {
  if (options.check?.length) return `^(${options.check.map(escapeRegExp).join('|')}): `;
  if (options.lab) return `^${escapeRegExp(options.lab)}\\.`;
  return undefined;
}

/**
 * Runs the selected checks through vitest's conformance project with the given
 * reporter, against the implementation or cluster the options name. Shared by
 * `kubelab conformance` and `kubelab grade`. Returns true when a check failed.
 */
export async function runChecks(options: Omit<ConformanceOptions, 'reporter' | 'out' | 'grep' | 'rerunFailed'>, reporter: CollectingReporter): Promise<boolean> {
  // A missing or broken kubelab.yaml is the student's first mistake: say so before anything starts.
  if (!options.kubeconfig) readContract(options.impl ?? REPO_ROOT);
  if (options.impl) process.env.KUBELAB_IMPL = resolve(options.impl);
  if (options.kubeconfig) process.env.KUBELAB_KUBECONFIG = resolve(options.kubeconfig);
  if (options.nodes !== undefined) process.env.KUBELAB_NODES = String(options.nodes);
  if (options.driver) process.env.KUBELAB_DRIVER = options.driver;
  process.env.KUBELAB_PROFILE_NAME = options.profile;
  // The checks run in vitest's workers, which inherit this environment (conformance/lib/run-settings.ts reads it).
  const seed = chooseSeed(options.seed);
  process.env.KUBELAB_SEED = String(seed);
  process.env.KUBELAB_REPEAT = String(options.repeat ?? 1);
  process.env.KUBELAB_EXCLUSIVE_FILES = String(exclusiveFiles(options));

  // Ctrl-C: the run is abandoned, but nothing the harness started may outlive it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nkubelab: ${signal}, stopping the cluster…\n`);
      abortRun();
      process.exit(130);
    });
  }
  const vitest = await startVitest('test', fileFilters(options), {
    root: REPO_ROOT,
    project: 'conformance',
    run: true,
    watch: false,
    reporters: [reporter],
    testNamePattern: namePattern(options),
    passWithNoTests: false,
    // vitest's own seed (the order of shuffled tests), the same as the checks'.
    sequence: { seed },
  });
  const failed = vitest.state.getCountOfFailedTests() > 0 || process.exitCode === 1;
  await vitest.close();
  // What --rerun-failed reads next time (a run in which nothing ran leaves the last one in place).
  if (reporter.reported > 0) writeLastRun({ implementation: implementationOf(options), seed, checks: [...reporter.checkOutcomes] });
  if (reporter.reported === 0 && vitest.state.getFiles().length === 0) {
    // Nothing ran. If the selection names check files that exist, the cluster did not start (vitest printed why above).
    const files = checkFiles().map((file) => relative(REPO_ROOT, file));
    if (fileFilters(options).every((filter) => files.some((file) => file.startsWith(filter)))) {
      throw new Error('the checks could not run: the cluster did not start (its error is printed above)');
    }
    const labs = readdirSync(new URL('../conformance/checks/', import.meta.url)).join(', ');
    throw new Error(`no check matched ${options.check?.length ? `--check ${options.check.join(' ')}` : `--lab ${options.lab}`} (labs: ${labs})`);
  }
  // --check takes whole ids: one that names no check (a typo in a file that exists) must not pass as "0 failed".
  const ran = new Set(reporter.checkOutcomes.map((outcome) => outcome.id));
  const unknown = (options.check ?? []).filter((id) => !ran.has(id));
  if (unknown.length) {
    throw new Error(`no check has the id ${unknown.join(', ')}: --check takes whole ids, as reports print them (--grep selects by a part of one)`);
  }
  return failed;
}

export async function conformance(options: ConformanceOptions): Promise<number> {
  const out = options.out ? resolve(options.out) : undefined;
  // --grep and --rerun-failed are resolved to check ids here, before a cluster starts.
  const check = !needsCatalogue(options) ? options.check
    : selectChecks(options, options.grep === undefined ? failedEntries() : loadCatalogue());
  const run = {
    implementation: implementationOf(options),
    driver: options.kubeconfig ? 'kubeconfig' : options.driver ?? 'process',
    seed: chooseSeed(options.seed),
    repeat: options.repeat ?? 1,
  };
  const reporter = options.reporter === 'json' ? new JsonReporter(run, out)
    : options.reporter === 'junit' ? new JunitReporter(run, out)
    : new PrettyReporter(run);
  return (await runChecks({ ...options, check, lab: check ? undefined : options.lab, seed: run.seed }, reporter)) ? 1 : 0;
}
