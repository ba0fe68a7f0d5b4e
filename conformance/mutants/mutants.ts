// Mutation testing of the suite: does it notice a broken implementation?
//
// Each mutant is a small patch to the reference (a bug a student plausibly
// writes), listed in index.yaml with the checks expected to catch it. For each
// one: copy the reference to a temporary folder, apply the patch, run those
// checks against the copy with `kubelab conformance --reporter json`, and look
// for a failed check. A mutant is "killed" when one of its checks fails; one
// whose checks all pass "survived": the suite has a hole there.
//
// Used by tests/mutants/mutants.test.ts (part of `npm test`) and by
// scripts/mutants.ts (the same run from the command line).

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MUTANTS_DIR = fileURLToPath(new URL('./', import.meta.url));

export interface Mutant {
  id: string;
  /** The file the patch changes, relative to the repository root. */
  file: string;
  /** What the mutant gets wrong. */
  bug: string;
  /** The check ids expected to catch it. */
  checks: string[];
  /** Survivors only: why the suite does not catch it yet. */
  hole?: string;
}

/** What one conformance run of a set of checks found. */
export interface CheckRun {
  passed: string[];
  failed: string[];
  skipped: { id: string; reason: string }[];
  durationMs: number;
  /** The run's own output (stdout and stderr), for a failure message. */
  output: string;
  /** Set when the run produced no report (the cluster did not start, a timeout). */
  error?: string;
}

export interface MutantResult extends CheckRun {
  mutant: Mutant;
  verdict: 'killed' | 'survived' | 'broken';
}

/**
 * The mutants of index.yaml, checked for the fields the runner needs: `mutants`
 * (the suite must kill each), or `survivors` (known holes in the suite).
 */
export function loadMutants(section: 'mutants' | 'survivors' = 'mutants'): Mutant[] {
  const doc = parse(readFileSync(join(MUTANTS_DIR, 'index.yaml'), 'utf8')) as Record<string, Mutant[] | undefined>;
  const mutants = doc?.[section] ?? [];
  for (const m of mutants) {
    if (typeof m.id !== 'string' || typeof m.file !== 'string' || typeof m.bug !== 'string' || !Array.isArray(m.checks) || m.checks.length === 0) {
      throw new Error(`conformance/mutants/index.yaml: mutant ${JSON.stringify(m.id)} needs id, file, bug and a non-empty list of checks`);
    }
  }
  return mutants;
}

export function patchPath(mutant: Mutant): string {
  return join(MUTANTS_DIR, `${mutant.id}.patch`);
}

/**
 * A copy of the reference implementation in a fresh temporary folder: what a
 * student's repository holds (kubelab.yaml, reference/, package.json,
 * tsconfig.json), with node_modules linked from this repository, since the
 * kubelab.yaml commands run `node reference/launch.mjs reference/src/...` from there.
 */
export function copyReference(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-mutant-'));
  for (const entry of ['kubelab.yaml', 'reference', 'package.json', 'tsconfig.json']) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export function removeCopy(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number, env = process.env): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 64 * 1024 * 1024, env }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        stdout: String(stdout),
        stderr: String(stderr) + (e && typeof e.code !== 'number' && !e.killed ? `\n${e.message}` : ''),
        timedOut: !!e?.killed,
      });
    });
  });
}

/**
 * Applies a mutant's patch to a copy. Throws, with git's words, when the patch
 * no longer applies: the reference changed under it and the patch needs redoing.
 */
export async function applyMutant(copy: string, mutant: Mutant): Promise<void> {
  const patch = patchPath(mutant);
  if (!existsSync(patch)) throw new Error(`mutant ${mutant.id}: ${patch} is missing`);
  const applied = await run('git', ['apply', '--whitespace=nowarn', patch], copy, 30_000);
  if (applied.code !== 0) {
    throw new Error(`mutant ${mutant.id}: its patch no longer applies to the reference (${mutant.file} changed?); redo the patch.\n${applied.stderr}${applied.stdout}`);
  }
}

/** The environment of a child conformance run: none of the outer vitest's or harness's settings leak in. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|KUBELAB_)/.test(key) || key === 'NODE_OPTIONS' || key === 'TEST' || key === 'MODE') continue;
    env[key] = value;
  }
  return env;
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** Runs the given checks against the implementation in `impl` with `kubelab conformance --reporter json`. */
export async function runChecks(impl: string, checks: string[], timeoutMs: number): Promise<CheckRun> {
  const out = join(impl, 'conformance-report.json');
  rmSync(out, { force: true });
  const started = Date.now();
  // A few checks: one cluster serves them all (an extra cluster for a disruptive check would cost more than it saves).
  const result = await run(process.execPath, [join(REPO_ROOT, 'bin', 'kubelab.js'), 'conformance', '--impl', impl, '--check', ...checks, '--reporter', 'json', '--out', out],
    REPO_ROOT, timeoutMs, { ...childEnv(), KUBELAB_CLUSTERS: '1' });
  const output = `${result.stdout}\n${result.stderr}`;
  const durationMs = Date.now() - started;
  const empty = { passed: [], failed: [], skipped: [], durationMs, output };
  if (!existsSync(out)) {
    const why = result.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${result.code} and wrote no report`;
    return { ...empty, error: `kubelab conformance ${why}:\n${lastLines(output, 40)}` };
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as { checks: { id: string; status: string; message?: string }[] };
  const ids = (status: string) => report.checks.filter((c) => c.status === status).map((c) => c.id);
  const missing = checks.filter((id) => !report.checks.some((c) => c.id === id));
  return {
    passed: ids('passed'),
    failed: ids('failed'),
    skipped: report.checks.filter((c) => c.status === 'skipped').map((c) => ({ id: c.id, reason: c.message ?? '' })),
    durationMs,
    output,
    ...(missing.length ? { error: `no result for ${missing.join(', ')} (unknown check ids?)` } : {}),
  };
}

/** Copies the reference, applies the mutant, runs its checks, removes the copy. */
export async function runMutant(mutant: Mutant, timeoutMs: number): Promise<MutantResult> {
  const copy = copyReference();
  try {
    try {
      await applyMutant(copy, mutant);
    } catch (err) {
      return { mutant, verdict: 'broken', passed: [], failed: [], skipped: [], durationMs: 0, output: '', error: (err as Error).message };
    }
    const result = await runChecks(copy, mutant.checks, timeoutMs);
    // A failed check is a kill even if the run had other trouble; no report at all is no verdict.
    const verdict = result.failed.length > 0 ? 'killed' : result.error ? 'broken' : 'survived';
    return { ...result, mutant, verdict };
  } finally {
    removeCopy(copy);
  }
}

/** Runs `work` over the items, at most `parallel` at a time, keeping their order in the results. */
export async function inParallel<T, R>(items: T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

/** One line per mutant and the kill rate, for a person. */
export function summarize(results: MutantResult[]): string {
  const killed = results.filter((r) => r.verdict === 'killed').length;
  const lines = results.map((r) => {
    const by = r.verdict === 'killed' ? `killed by ${r.failed.join(', ')}`
      : r.verdict === 'survived' ? `SURVIVED ${r.mutant.checks.join(', ')}`
        : `BROKEN RUN: ${(r.error ?? '').split('\n')[0]}`;
    return `  ${r.mutant.id.padEnd(40)} ${(r.durationMs / 1000).toFixed(1).padStart(6)} s  ${by}`;
  });
  return `${lines.join('\n')}\nmutants killed: ${killed} of ${results.length}`;
}
