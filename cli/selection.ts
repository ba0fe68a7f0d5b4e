// Focus and replay: which checks a run selects by --grep and --rerun-failed,
// and the last-run file that --rerun-failed reads.
//
// Every run of `kubelab conformance` or `kubelab grade` writes what each check
// did to .kubelab/last-run.json in the current folder (the folder `kubelab up`
// also uses); `--rerun-failed` runs again the checks that failed there.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CatalogueEntry } from '../conformance/grading/catalogue.ts';
import type { CheckOutcome } from '../conformance/report/outcomes.ts';

export interface SelectionOptions {
  lab?: string;
  check?: string[];
  grep?: string;
  rerunFailed?: boolean;
}

export interface LastRun {
  kind: 'KubelabLastRun';
  version: 1;
  finishedAt: string;
  implementation: string;
  seed: number;
  checks: CheckOutcome[];
}

/** Where the last run's results are kept, relative to the folder the command runs in. */
export function lastRunFile(cwd = process.cwd()): string {
  return resolve(cwd, '.kubelab', 'last-run.json');
}

export function writeLastRun(run: Omit<LastRun, 'kind' | 'version' | 'finishedAt'>, file = lastRunFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  const lastRun: LastRun = { kind: 'KubelabLastRun', version: 1, finishedAt: new Date().toISOString(), ...run };
  writeFileSync(file, JSON.stringify(lastRun, null, 2) + '\n');
}

/** The ids of the checks that failed in the last run; a clear error when there is nothing to rerun. */
export function failedInLastRun(file = lastRunFile()): string[] {
  if (!existsSync(file)) {
    throw new Error(`--rerun-failed: there is no last run in this folder (${file} is written by every kubelab conformance or grade run started here)`);
  }
  let lastRun: LastRun;
  try {
    lastRun = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--rerun-failed: ${file} is not JSON (${(err as Error).message}); run the checks once without --rerun-failed`);
  }
  const failed = (lastRun.checks ?? []).filter((c) => c.status === 'failed').map((c) => c.id);
  if (failed.length === 0) {
    throw new Error(`--rerun-failed: nothing failed in the last run (${lastRun.checks?.length ?? 0} checks, ${lastRun.finishedAt}): nothing to rerun`);
  }
  return failed;
}

/** --grep: a regular expression, matched without regard to case against a check's id or its title. */
export function grepPattern(grep: string): RegExp {
  try {
    return new RegExp(grep, 'i');
  } catch (err) {
    throw new Error(`--grep: "${grep}" is not a regular expression: ${(err as Error).message}`);
  }
}

/**
 * The catalogue entries --rerun-failed needs when nothing else asks for titles:
 * the failed ids alone (a check's lab is the first part of its id). Loading the
 * whole catalogue would cost seconds for nothing.
 */
export function failedEntries(lastRun = lastRunFile()): Pick<CatalogueEntry, 'id' | 'title' | 'lab'>[] {
  return failedInLastRun(lastRun).map((id) => ({ id, title: '', lab: id.split('.')[0] }));
}

/** True when --grep or --rerun-failed decide which checks run (resolved to ids before a cluster starts). */
export function needsCatalogue(options: SelectionOptions): boolean {
  return options.grep !== undefined || !!options.rerunFailed;
}

/**
 * The ids of the checks that --lab, --check, --grep and --rerun-failed select
 * together (each one narrows the selection), in catalogue order. Throws when
 * none is left, saying which option emptied it.
 */
export function selectChecks(options: SelectionOptions, catalogue: Pick<CatalogueEntry, 'id' | 'title' | 'lab'>[], lastRun = lastRunFile()): string[] {
  let chosen = catalogue;
  const narrow = (keep: (c: Pick<CatalogueEntry, 'id' | 'title' | 'lab'>) => boolean, what: string) => {
    chosen = chosen.filter(keep);
    if (chosen.length === 0) throw new Error(`no check matched ${what}`);
  };
  if (options.lab) narrow((c) => c.lab === options.lab, `--lab ${options.lab}`);
  if (options.check?.length) {
    const ids = options.check;
    narrow((c) => ids.includes(c.id), `--check ${ids.join(' ')}`);
  }
  if (options.grep !== undefined) {
    const pattern = grepPattern(options.grep);
    narrow((c) => pattern.test(c.id) || pattern.test(c.title), `--grep ${options.grep} (it is matched against each check's id and title)`);
  }
  if (options.rerunFailed) {
    const failed = new Set(failedInLastRun(lastRun));
    narrow((c) => failed.has(c.id), `--rerun-failed: the checks that failed last time (${[...failed].join(', ')}) are not in this selection`);
  }
  return chosen.map((c) => c.id);
}
