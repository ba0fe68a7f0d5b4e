// Turning check results into a grade: points per step, per lab and in total.
//
// The rule a student reads in the summary: each check is worth its points; a
// check that passed earns them, a check that failed or was skipped earns
// nothing. A step's score is what its checks earned, out of the sum of their
// points; a lab's score is the sum of its steps; the total is the sum of the
// labs graded. No rounding, no scaling: every point can be traced to a check.

import type { CatalogueEntry } from './catalogue.ts';
import type { LabDefinition } from './lab-files.ts';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** What a run says about one check (from the conformance reporters' outcomes). */
export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** The failure message, or why the check was skipped. */
  message?: string;
  durationMs?: number;
}

export interface CheckGrade {
  id: string;
  title: string;
  /** What the check is worth. */
  points: number;
  /** What it earned: its points if it passed, else 0. */
  score: number;
  status: CheckStatus;
  /** The failure message or the skip reason; absent when it passed. */
  reason?: string;
  durationMs?: number;
}

export interface StepGrade {
  id: string;
  title: string;
  score: number;
  maxScore: number;
  checks: CheckGrade[];
}

export interface LabGrade {
  name: string;
  title: string;
  score: number;
  maxScore: number;
  steps: StepGrade[];
}

export interface Grade {
  kind: 'KubelabGrade';
  version: 1;
  implementation: string;
  startedAt: string;
  durationMs: number;
  score: number;
  maxScore: number;
  labs: LabGrade[];
}

/** The reason given for a selected check that reported nothing at all. */
export const NOT_RUN = 'the check did not run: no result was reported for it (see the run output for an error loading its file)';

function gradeCheck(id: string, meta: CatalogueEntry | undefined, result: CheckResult | undefined): CheckGrade {
  const points = meta?.points ?? 0;
  const status: CheckStatus = result?.status ?? 'failed';
  const reason = result ? (status === 'passed' ? undefined : result.message ?? (status === 'skipped' ? 'skipped' : 'failed')) : NOT_RUN;
  return {
    id, title: meta?.title ?? id, points, score: status === 'passed' ? points : 0, status,
    ...(reason !== undefined ? { reason } : {}),
    ...(result?.durationMs !== undefined ? { durationMs: result.durationMs } : {}),
  };
}

const sum = (items: { score: number; maxScore: number }[]) => ({
  score: items.reduce((n, i) => n + i.score, 0),
  maxScore: items.reduce((n, i) => n + i.maxScore, 0),
});

/** Grades the labs from the results of a run (a pure function: no I/O). */
export function scoreLabs(labs: LabDefinition[], catalogue: CatalogueEntry[], results: CheckResult[]): Pick<Grade, 'score' | 'maxScore' | 'labs'> {
  const meta = new Map(catalogue.map((c) => [c.id, c]));
  const byId = new Map(results.map((r) => [r.id, r]));
  const graded = labs.map((lab): LabGrade => {
    const steps = lab.steps.map((step): StepGrade => {
      const checks = step.checks.map((id) => gradeCheck(id, meta.get(id), byId.get(id)));
      return {
        id: step.id, title: step.title,
        score: checks.reduce((n, c) => n + c.score, 0),
        maxScore: checks.reduce((n, c) => n + c.points, 0),
        checks,
      };
    });
    return { name: lab.name, title: lab.title, ...sum(steps), steps };
  });
  return { ...sum(graded), labs: graded };
}

/** Every check of a grade, with the lab and step it belongs to. */
export function* checksOf(grade: Pick<Grade, 'labs'>): Generator<{ lab: LabGrade; step: StepGrade; check: CheckGrade }> {
  for (const lab of grade.labs) for (const step of lab.steps) for (const check of step.checks) yield { lab, step, check };
}
