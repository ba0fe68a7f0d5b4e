// The home page: the project README's introduction (up to the end of its
// "Set up" section), the architecture diagram, and the list of lessons.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { escapeHtml } from './html.ts';
import type { Lesson } from './lessons.ts';
import { createMarkdown, type RenderOptions } from './markdown.ts';
import type { Page } from './pages.ts';

/** The README up to the section after "## Set up" (or up to its second section). */
export function introOf(markdown: string): string {
  const lines = markdown.split('\n');
  let inFence = false;
  const sections: number[] = [];
  lines.forEach((line, i) => {
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (!inFence && /^## /.test(line)) sections.push(i);
  });
  const setup = sections.findIndex((i) => /^## Set ?up\b/i.test(lines[i]));
  const cut = setup >= 0 ? sections[setup + 1] : sections[1];
  return lines.slice(0, cut ?? lines.length).join('\n');
}

const DIAGRAM = `<figure class="diagram">
<img src="assets/architecture.svg" alt="The architecture: kubectl and the conformance suite talk HTTPS to the API server; the API server alone uses the store; the scheduler and the controller manager are clients of the API server; each node runs a node agent, which starts containers as processes, and a service proxy, both clients of the API server." width="760" height="420">
<figcaption>The reference orchestrator: a control plane of separate processes, and nodes that each run a node agent and a proxy. Everything talks through the API server.</figcaption>
</figure>`;

export function homePage(readme: string, lessons: Lesson[], options: RenderOptions): Page {
  const where = relative(options.root, readme);
  const intro = createMarkdown(options).render(introOf(readFileSync(readme, 'utf8')), { file: readme, where, steps: [] });
  const list = lessons.map((l) => {
    const points = l.lab ? ` <span class="pts">${l.lab.steps.length} steps, ${l.lab.steps.reduce((s, x) => s + x.points, 0)} points</span>` : '';
    // The page script counts the ticked steps of the lab here (the keys are those of the step boxes' "done" ticks).
    const progress = l.lab ? ` <span class="progress" data-steps="${escapeHtml(l.lab.steps.map((step) => `${l.lab!.name}/${step.id}`).join(' '))}" hidden></span>` : '';
    return `<li><a href="${l.page}">${escapeHtml(l.title)}</a>${points}${progress}</li>`;
  }).join('\n');
  const main = `${intro}
<h2 id="architecture">The architecture</h2>
${DIAGRAM}
<h2 id="course">The course</h2>
<p>Start with the setup, then take the labs in order. Each step of a lab names the conformance checks that grade it;
tick a step when you are done (your browser remembers it). The <a href="catalogue.html">catalogue</a> lists every check,
and <a href="contract.html">the contract page</a> tells how the grader runs your implementation.
<a href="print.html">The whole course on one page</a> is there for printing.</p>
<ol class="lessons">
${list}
</ol>`;
  return { file: 'index.html', title: 'kubelab', navTitle: 'Home', main };
}
