// The whole course on one page, for printing or reading offline: every lesson
// in order, each one heading level down under the page's single h1, with ids
// prefixed by the lab folder so that the lessons' anchors do not collide.
// Links from one lesson to another (or to one of its steps) point inside this
// page; links to the other pages (catalogue, contract, home) stay links to them.

import { escapeHtml } from './html.ts';
import { lessonHtml } from './lesson-page.ts';
import type { Lesson } from './lessons.ts';
import type { RenderOptions } from './markdown.ts';
import type { Page } from './pages.ts';

export function printPage(lessons: Lesson[], options: RenderOptions): Page {
  const warnings: string[] = []; // the lesson pages report them already
  const prefix = (lesson: Lesson) => `${lesson.folder}-`;
  const pagesHere = new Map(lessons.map((lesson) => [lesson.page, prefix(lesson)]));
  // Each section's id is what linkHere (markdown.ts) gives a link to the lesson's page without an anchor.
  const sections = lessons.map((lesson) => `<section id="${prefix(lesson)}lesson" class="print-lesson" aria-label="${escapeHtml(lesson.title)}">
${lessonHtml(lesson, { ...options, shiftHeadings: 1, idPrefix: prefix(lesson), pagesHere }, warnings)}
</section>`).join('\n');
  const toc = lessons.map((l) => `<li><a href="#${prefix(l)}lesson">${escapeHtml(l.title)}</a></li>`).join('\n');
  const main = `<h1 id="top">The kubelab course</h1>
<p class="no-print">All lessons on one page: print it, or save it as a PDF, from your browser.</p>
<ol class="toc">
${toc}
</ol>
${sections}`;
  return { file: 'print.html', title: 'The kubelab course (all lessons)', navTitle: 'Print the course', main, search: [], outOfSequence: true };
}
