// The whole course on one page, for printing or reading offline: every lesson
// in order, each one heading level down under the page's single h1, with ids
// prefixed by the lab folder so that the lessons' anchors do not collide.

import { escapeHtml } from './html.ts';
import { lessonHtml } from './lesson-page.ts';
import type { Lesson } from './lessons.ts';
import type { RenderOptions } from './markdown.ts';
import type { Page } from './pages.ts';

export function printPage(lessons: Lesson[], options: RenderOptions): Page {
  const warnings: string[] = []; // the lesson pages report them already
  const sections = lessons.map((lesson) => `<section id="${lesson.folder}-lesson" class="print-lesson" aria-label="${escapeHtml(lesson.title)}">
${lessonHtml(lesson, { ...options, shiftHeadings: 1, idPrefix: `${lesson.folder}-` }, warnings)}
</section>`).join('\n');
  const toc = lessons.map((l) => `<li><a href="#${l.folder}-lesson">${escapeHtml(l.title)}</a></li>`).join('\n');
  const main = `<h1 id="top">The kubelab course</h1>
<p class="no-print">All lessons on one page: print it, or save it as a PDF, from your browser.</p>
<ol class="toc">
${toc}
</ol>
${sections}`;
  return { file: 'print.html', title: 'The kubelab course (all lessons)', navTitle: 'Print the course', main, search: [], outOfSequence: true };
}
