// One lesson's page: its README rendered, with each step heading followed by
// the box of the step's checks. A lab whose README is not written yet still
// gets a page listing its steps and checks; a step that the README forgets is
// listed at the end (and reported), so no graded step is ever hidden.

import { readFileSync } from 'node:fs';
import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import { escapeHtml } from './html.ts';
import type { Lesson } from './lessons.ts';
import { createMarkdown, type RenderEnv, type RenderOptions } from './markdown.ts';
import type { Page } from './pages.ts';
import { stepAnchor, stepBox } from './step-box.ts';

/** The HTML of a lesson's text (also used by the print page, with other options). */
export function lessonHtml(lesson: Lesson, options: RenderOptions, warnings: string[]): string {
  const where = lesson.where;
  let html: string;
  const env: RenderEnv = { file: lesson.readme ?? '', where, lab: lesson.lab, steps: [] };
  if (lesson.readme) {
    html = createMarkdown(options).render(readFileSync(lesson.readme, 'utf8'), env);
  } else {
    const h = options.shiftHeadings ? 2 : 1;
    html = `<h${h} id="${options.idPrefix ?? ''}top">${escapeHtml(lesson.title)}</h${h}>\n<p>The lesson text of this lab is not written yet; its steps and checks are below.</p>\n`;
  }
  const missing = lesson.lab?.steps.filter((s) => !env.steps.includes(s.id)) ?? [];
  if (lesson.readme && missing.length) {
    warnings.push(`${where}: no <!-- step: … --> marker for ${missing.map((s) => s.id).join(', ')}; listed at the end of the page`);
  }
  if (lesson.lab && missing.length) {
    const level = 2 + (options.shiftHeadings ?? 0);
    html += missing.map((step) => `<h${level} id="${options.idPrefix ?? ''}${stepAnchor(step)}" class="step-heading">${escapeHtml(step.title)}</h${level}>\n${stepBox(lesson.lab!, step, options.catalogue)}`).join('\n');
  }
  return html;
}

export function lessonPage(lesson: Lesson, options: RenderOptions, warnings: string[]): Page {
  const steps = lesson.lab?.steps.map((step) => ({ anchor: stepAnchor(step), title: step.title, progress: `${lesson.lab!.name}/${step.id}` }));
  return { file: lesson.page, title: lesson.title, navTitle: lesson.title, main: lessonHtml(lesson, options, warnings), steps };
}

/** The catalogue by check id, for the step boxes. */
export function byId(catalogue: CatalogueEntry[]): Map<string, CatalogueEntry> {
  return new Map(catalogue.map((c) => [c.id, c]));
}
