// The box under each step heading of a lab page: the checks that grade the
// step (from lab.yaml and the check metadata), their points, and a "done"
// checkbox for the student's own progress. The page script fills in each
// check's status when the site is served with a grade.json.

import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import type { LabDefinition, StepDefinition } from '../../conformance/grading/lab-files.ts';
import { escapeHtml } from './html.ts';

/** The id of a step's heading, so the navigator and other pages can link to it. */
export function stepAnchor(step: StepDefinition): string {
  return `step-${step.id}`;
}

/** The id of a check's row in the catalogue page. */
export function checkAnchor(id: string): string {
  return `check-${id}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function stepBox(lab: LabDefinition, step: StepDefinition, catalogue: Map<string, CatalogueEntry>): string {
  const key = `${lab.name}/${step.id}`;
  const rows = step.checks.map((id) => {
    const meta = catalogue.get(id);
    // An id the suite does not have (a lab being written) has no catalogue row to link to.
    const name = meta ? `<a href="catalogue.html#${escapeHtml(checkAnchor(id))}"><code>${escapeHtml(id)}</code></a>` : `<code>${escapeHtml(id)}</code>`;
    const title = meta ? escapeHtml(meta.title) : '<em>not in the suite</em>';
    const points = meta ? ` <span class="pts">${plural(meta.points, 'point')}</span>` : '';
    return `<li data-check="${escapeHtml(id)}"><span class="status" hidden></span>`
      + `${name} ${title}${points}`
      + `<div class="reason" hidden></div></li>`;
  }).join('\n');
  return `<aside class="step-box" data-lab="${escapeHtml(lab.name)}" data-step="${escapeHtml(step.id)}" aria-label="Checks of the step ${escapeHtml(step.title)}">
<div class="step-box-head"><strong>Checks: ${plural(step.points, 'point')}</strong><span class="step-score" hidden></span>
<label class="done"><input type="checkbox" class="step-done" data-progress="${escapeHtml(key)}"> I finished this step</label></div>
<ul class="checks">
${rows}
</ul>
</aside>
`;
}
