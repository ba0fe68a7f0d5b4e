// junit.xml: one <testsuite> per lab, one <testcase> per check (classname
// `<lab>.<step>`), a <failure> with the message or a <skipped> with the reason;
// each suite's <properties> carry the lab's score and maxScore.
// CI systems (GitLab, Jenkins, GitHub test reporters) read this format.

import { formatPercent } from '../min-score.ts';
import type { CheckGrade, Grade, LabGrade } from '../scoring.ts';

export function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters (terminal colour codes among them).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function testcase(lab: LabGrade, stepId: string, check: CheckGrade): string {
  const open = `    <testcase classname="${xml(`${lab.name}.${stepId}`)}" name="${xml(`${check.id}: ${check.title}`)}" time="${((check.durationMs ?? 0) / 1000).toFixed(3)}"`;
  if (check.status === 'passed') return `${open}/>`;
  if (check.status === 'skipped') return `${open}>\n      <skipped message="${xml(check.reason ?? '')}"/>\n    </testcase>`;
  const first = (check.reason ?? '').split('\n')[0];
  return `${open}>\n      <failure message="${xml(first)}">${xml(check.reason ?? '')}</failure>\n    </testcase>`;
}

export function junitXml(grade: Grade): string {
  const all = grade.labs.flatMap((lab) => lab.steps.flatMap((s) => s.checks));
  const count = (checks: CheckGrade[], status: CheckGrade['status']) => checks.filter((c) => c.status === status).length;
  const seconds = (checks: CheckGrade[]) => (checks.reduce((n, c) => n + (c.durationMs ?? 0), 0) / 1000).toFixed(3);
  const suites = grade.labs.map((lab) => {
    const checks = lab.steps.flatMap((s) => s.checks);
    const cases = lab.steps.flatMap((step) => step.checks.map((check) => testcase(lab, step.id, check)));
    // The suite's name stays the lab's name (CI tools match suites across runs by name); its points are properties.
    const properties = `    <properties>\n      <property name="score" value="${lab.score}"/>\n      <property name="maxScore" value="${lab.maxScore}"/>\n    </properties>`;
    return `  <testsuite name="${xml(lab.name)}" tests="${checks.length}" failures="${count(checks, 'failed')}" errors="0" skipped="${count(checks, 'skipped')}" time="${seconds(checks)}">\n${properties}\n${cases.join('\n')}\n  </testsuite>`;
  });
  const name = `kubelab grade: ${grade.score}/${grade.maxScore} points (${formatPercent(grade.score, grade.maxScore)})`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(name)}" tests="${all.length}" failures="${count(all, 'failed')}" errors="0" skipped="${count(all, 'skipped')}" time="${(grade.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
