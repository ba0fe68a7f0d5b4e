// results.json in Gradescope's autograder format: a top-level `score` and one
// entry in `tests` per check (`name`, `score`, `max_score`, `status`, `output`).
// Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format").
// Gradescope knows only `passed` and `failed`, so a skipped check is `failed`
// with its skip reason as the output (it earned nothing either way).

import { formatPercent } from '../min-score.ts';
import { checksOf, type Grade } from '../scoring.ts';

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  tags: string[];
  visibility: 'visible';
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  visibility: 'visible';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

export function gradescopeResults(grade: Grade): GradescopeResults {
  const tests: GradescopeTest[] = [];
  for (const { lab, step, check } of checksOf(grade)) {
    const labIndex = grade.labs.indexOf(lab) + 1;
    const stepIndex = lab.steps.indexOf(step) + 1;
    const checkIndex = step.checks.indexOf(check) + 1;
    tests.push({
      name: `${lab.name} / ${step.title}: ${check.id}: ${check.title}`,
      // Gradescope orders tests by number: lab.step.check.
      number: `${labIndex}.${stepIndex}.${checkIndex}`,
      score: check.score,
      max_score: check.points,
      status: check.status === 'passed' ? 'passed' : 'failed',
      output: check.status === 'passed' ? '' : `${check.status === 'skipped' ? 'Skipped' : 'Failed'}: ${check.reason ?? ''}`,
      tags: [lab.name, `${lab.name}.${step.id}`],
      visibility: 'visible',
    });
  }
  return {
    score: grade.score,
    execution_time: Math.round(grade.durationMs / 1000),
    output: `kubelab grade: ${grade.score}/${grade.maxScore} points (${formatPercent(grade.score, grade.maxScore)}). `
      + grade.labs.map((l) => `${l.name} ${l.score}/${l.maxScore}`).join(', '),
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}
