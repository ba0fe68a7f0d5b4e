// summary.md: the grade as a person reads it (and as a GitHub Actions job
// summary shows it): the total, a table of steps per lab, then every check
// that did not pass, with why.

import { formatPercent } from '../min-score.ts';
import type { Grade } from '../scoring.ts';

/** Table cells hold one line and no pipe. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function firstLines(text: string, lines = 6): string {
  const all = text.split('\n');
  return all.slice(0, lines).join('\n') + (all.length > lines ? '\n…' : '');
}

const MARK = { passed: '✅', failed: '❌', skipped: '⏭️' } as const;

export function summaryMarkdown(grade: Grade): string {
  const out: string[] = [];
  out.push(`# kubelab grade: ${grade.score}/${grade.maxScore} points (${formatPercent(grade.score, grade.maxScore)})`, '');
  out.push(`Implementation: \`${grade.implementation}\``, '');
  out.push('A check earns its points when it passes; a failed or skipped check earns nothing.', '');
  for (const lab of grade.labs) {
    out.push(`## ${cell(lab.title)} (\`${lab.name}\`): ${lab.score}/${lab.maxScore}`, '');
    out.push('| Step | Score | Checks passed |', '| --- | ---: | ---: |');
    for (const step of lab.steps) {
      const passed = step.checks.filter((c) => c.status === 'passed').length;
      const mark = passed === step.checks.length ? MARK.passed : MARK.failed;
      out.push(`| ${mark} ${cell(step.title)} (\`${step.id}\`) | ${step.score}/${step.maxScore} | ${passed}/${step.checks.length} |`);
    }
    out.push('');
    const missed = lab.steps.flatMap((step) => step.checks.filter((c) => c.status !== 'passed').map((c) => ({ step, check: c })));
    if (missed.length) {
      out.push('<details><summary>Checks that earned nothing</summary>', '');
      for (const { step, check } of missed) {
        out.push(`- ${MARK[check.status]} **${check.id}** (${check.status}, step \`${step.id}\`, ${check.points} points): ${cell(check.title)}`);
        if (check.reason) out.push('', '  ```text', ...firstLines(check.reason).split('\n').map((l) => `  ${l}`), '  ```');
      }
      out.push('', '</details>', '');
    }
  }
  return out.join('\n') + '\n';
}
