// The conformance catalogue: every check of the suite with its id, title, lab,
// points, the step that grades it, what it needs from the driver, and the
// Kubernetes source it cites. Generated from the check files' metadata, so it
// is never out of date.

import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import { escapeHtml } from './html.ts';
import type { Lesson } from './lessons.ts';
import type { Page, SearchDoc } from './pages.ts';
import { checkAnchor, stepAnchor } from './step-box.ts';

// Go import paths of Kubernetes, as checks cite them, and where GitHub shows them.
const SOURCE_PATHS: [RegExp, string][] = [
  [/^k8s\.io\/kubernetes\//, 'https://github.com/kubernetes/kubernetes/blob/master/'],
  [/^k8s\.io\/(apiserver|apimachinery|client-go|kubectl|api)\//, 'https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/$1/'],
];

function href(ref: string): string | undefined {
  if (/^https?:\/\//.test(ref)) return ref;
  if (/^(kubernetes\.io|github\.com)\//.test(ref)) return `https://${ref}`;
  for (const [pattern, base] of SOURCE_PATHS) if (pattern.test(ref)) return ref.replace(pattern, base);
  return undefined;
}

/** A cites string with its URLs and Kubernetes source paths as links. */
export function citesHtml(cites: string): string {
  return cites.split(/(\s+|;|,(?=\s))/).map((part) => {
    const trimmed = part.replace(/[).,]+$/, '');
    const url = href(trimmed);
    if (!url) return escapeHtml(part);
    return `<a href="${escapeHtml(url)}">${escapeHtml(trimmed)}</a>${escapeHtml(part.slice(trimmed.length))}`;
  }).join('');
}

export function cataloguePage(catalogue: CatalogueEntry[], lessons: Lesson[]): Page {
  const gradedBy = new Map<string, { lesson: Lesson; stepTitle: string; anchor: string }>();
  for (const lesson of lessons) {
    for (const step of lesson.lab?.steps ?? []) {
      for (const id of step.checks) gradedBy.set(id, { lesson, stepTitle: step.title, anchor: stepAnchor(step) });
    }
  }
  const labOrder = [...new Set([...lessons.flatMap((l) => (l.lab ? [l.lab.name] : [])), ...catalogue.map((c) => c.lab)])];
  const search: SearchDoc[] = [];
  const sections = labOrder.map((lab) => {
    const checks = catalogue.filter((c) => c.lab === lab);
    if (checks.length === 0) return '';
    const lesson = lessons.find((l) => l.lab?.name === lab);
    const points = checks.reduce((sum, c) => sum + c.points, 0);
    const rows = checks.map((c) => {
      const step = gradedBy.get(c.id);
      search.push({ id: `catalogue#${c.id}`, url: `catalogue.html#${checkAnchor(c.id)}`, title: `Check ${c.id}`, text: `${c.title} ${c.cites ?? ''}` });
      return `<tr id="${escapeHtml(checkAnchor(c.id))}">
<td><code>${escapeHtml(c.id)}</code><br>${escapeHtml(c.title)}</td>
<td class="num">${c.points}</td>
<td>${step ? `<a href="${step.lesson.page}#${escapeHtml(step.anchor)}">${escapeHtml(step.stepTitle)}</a>` : '<em>no step</em>'}</td>
<td>${(c.needs ?? []).map((n) => `<code>${escapeHtml(n)}</code>`).join(' ') || '—'}</td>
<td class="cites">${c.cites ? citesHtml(c.cites) : '—'}</td>
</tr>`;
    }).join('\n');
    const heading = lesson ? `<a href="${lesson.page}">${escapeHtml(lesson.title)}</a>` : escapeHtml(lab);
    return `<section aria-labelledby="lab-${escapeHtml(lab)}">
<h2 id="lab-${escapeHtml(lab)}">Lab <code>${escapeHtml(lab)}</code>: ${heading}</h2>
<p>${checks.length} checks, ${points} points.</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Check</th><th scope="col">Points</th><th scope="col">Graded in step</th><th scope="col">Needs</th><th scope="col">Kubernetes source</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>`;
  }).join('\n');
  const total = catalogue.reduce((sum, c) => sum + c.points, 0);
  const main = `<h1 id="top">The conformance catalogue</h1>
<p>Every check of the suite: ${catalogue.length} checks worth ${total} points. A check's id is stable; grades and reports refer to it.
<em>Needs</em> names the disruptions a check causes (a driver that cannot cause them reports the check as skipped);
the last column is where Kubernetes defines the behaviour the check asserts.</p>
${sections}`;
  return { file: 'catalogue.html', title: 'The conformance catalogue', navTitle: 'Check catalogue', main, search };
}
