// The frame around every page: a skip link, the header with the search box,
// the navigation (with the current lab's steps), prev/next links, and the
// scripts. Every URL is relative, so the pages also work opened from disk;
// every script, style and font is local. The page names its icon, or a
// browser asks the server for /favicon.ico, which the site does not have.

import { escapeHtml } from './html.ts';
import type { Page } from './pages.ts';

export interface Neighbours {
  prev?: Page;
  next?: Page;
}

function navigation(page: Page, pages: Page[]): string {
  const items = pages.map((p) => {
    const current = p.file === page.file ? ' aria-current="page"' : '';
    const steps = p.file === page.file && p.steps?.length
      ? `\n<ol class="steps">${p.steps.map((s) => `<li><a href="#${escapeHtml(s.anchor)}" data-progress="${escapeHtml(s.progress)}">${escapeHtml(s.title)}</a></li>`).join('')}</ol>`
      : '';
    return `<li><a href="${p.file}"${current}>${escapeHtml(p.navTitle)}</a>${steps}</li>`;
  });
  // Folded on a phone by the page script, so the lesson comes first; open without the script.
  return `<nav class="sidebar" aria-label="Course"><details class="nav-fold" open><summary>Contents</summary><ul>\n${items.join('\n')}\n</ul></details></nav>`;
}

function prevNext({ prev, next }: Neighbours): string {
  if (!prev && !next) return '';
  const link = (p: Page | undefined, rel: string, label: string) =>
    p ? `<a rel="${rel}" href="${p.file}"><span class="label">${label}</span> ${escapeHtml(p.navTitle)}</a>` : '<span></span>';
  return `<nav class="prev-next" aria-label="Previous and next page">${link(prev, 'prev', '← Previous')}${link(next, 'next', 'Next →')}</nav>`;
}

export function layout(page: Page, pages: Page[], neighbours: Neighbours): string {
  const head = [
    neighbours.prev ? `<link rel="prev" href="${neighbours.prev.file}">` : '',
    neighbours.next ? `<link rel="next" href="${neighbours.next.file}">` : '',
  ].filter(Boolean).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(page.title)} · kubelab</title>
<link rel="stylesheet" href="assets/style.css">
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
${head}
</head>
<body>
<a class="skip-link" href="#main">Skip to the content</a>
<header class="topbar">
<a class="brand" href="index.html">kubelab</a>
<a class="live-link" href="http://127.0.0.1:4001/" title="Your cluster as it changes: nodes, pods, rollouts, events (kubelab up serves it)">Live view</a>
<div class="search" role="search">
<label for="search" class="visually-hidden">Search the course</label>
<input id="search" type="search" placeholder="Search (press /)" autocomplete="off" aria-controls="search-results">
<ol id="search-results" class="search-results" aria-live="polite" hidden></ol>
</div>
</header>
<div class="page">
${navigation(page, pages)}
<main id="main" tabindex="-1">
${page.main}
${prevNext(neighbours)}
</main>
</div>
<footer class="footer"><p>kubelab: learn how Kubernetes works by building it. Keys: <kbd>j</kbd>/<kbd>→</kbd> next page, <kbd>k</kbd>/<kbd>←</kbd> previous, <kbd>/</kbd> search.</p></footer>
<script src="assets/grade.js"></script>
<script src="assets/site.js"></script>
</body>
</html>
`;
}
