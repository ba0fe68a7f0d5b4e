// The few lines `kubelab grade` prints at the end: the score of each lab and
// the total, coloured only when stdout is a terminal.

import { formatPercent } from '../min-score.ts';
import type { Grade } from '../scoring.ts';

export function consoleSummary(grade: Grade, colour: boolean): string {
  const paint = (code: number, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const tint = (score: number, max: number) => (score === max ? 32 : score === 0 ? 31 : 33);
  const width = Math.max(...grade.labs.map((l) => l.name.length), 5);
  const lines = grade.labs.map((lab) => {
    const skipped = lab.steps.flatMap((s) => s.checks).filter((c) => c.status === 'skipped').length;
    const note = skipped ? `  (${skipped} skipped)` : '';
    return `  ${lab.name.padEnd(width)}  ${paint(tint(lab.score, lab.maxScore), `${lab.score}/${lab.maxScore}`.padStart(7))}  ${formatPercent(lab.score, lab.maxScore).padStart(6)}  ${lab.title}${note}`;
  });
  const total = `  ${'total'.padEnd(width)}  ${paint(1, `${grade.score}/${grade.maxScore}`.padStart(7))}  ${formatPercent(grade.score, grade.maxScore).padStart(6)}`;
  return ['', paint(1, 'kubelab grade'), ...lines, total, ''].join('\n') + '\n';
}
