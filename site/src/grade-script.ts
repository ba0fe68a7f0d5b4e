// grade.json (from `kubelab grade`) as the script the pages load: it sets
// window.KUBELAB_GRADE, which the page script shows beside each step. Only
// what the pages show is kept (statuses, scores, reasons).

import { existsSync, readFileSync } from 'node:fs';
import type { Grade } from '../../conformance/grading/scoring.ts';

export const NO_GRADE = 'window.KUBELAB_GRADE = null;\n';

export function gradeScript(grade: Grade): string {
  const shown = {
    implementation: grade.implementation,
    startedAt: grade.startedAt,
    score: grade.score,
    maxScore: grade.maxScore,
    labs: grade.labs.map((lab) => ({
      name: lab.name,
      steps: lab.steps.map((step) => ({
        id: step.id, score: step.score, maxScore: step.maxScore,
        checks: step.checks.map((c) => ({ id: c.id, status: c.status, reason: c.reason })),
      })),
    })),
  };
  // JSON is a JavaScript expression; "</" is escaped so the text can never close a script tag.
  return `window.KUBELAB_GRADE = ${JSON.stringify(shown).replace(/<\//g, '<\\/')};\n`;
}

/** The script for a grade.json file; a missing or unreadable file shows no grade (and says why on stderr once). */
export function gradeScriptFromFile(file: string | undefined, warn: (message: string) => void): string {
  if (!file || !existsSync(file)) return NO_GRADE;
  try {
    const grade = JSON.parse(readFileSync(file, 'utf8')) as Grade;
    if (grade.kind !== 'KubelabGrade' || !Array.isArray(grade.labs)) throw new Error('not a grade.json from kubelab grade');
    return gradeScript(grade);
  } catch (err) {
    warn(`${file}: ${(err as Error).message}; the site shows no grade`);
    return NO_GRADE;
  }
}
