// The page on the cluster contract and the grader: the conformance suite's
// README (how the harness starts any implementation, what a check is, how
// labs are graded), rendered as it is in the repository.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { readmeTitle } from './lessons.ts';
import { createMarkdown, type RenderOptions } from './markdown.ts';
import type { Page } from './pages.ts';

export function contractPage(readme: string, options: RenderOptions): Page {
  const markdown = readFileSync(readme, 'utf8');
  const main = createMarkdown(options).render(markdown, { file: readme, where: relative(options.root, readme), steps: [] });
  return { file: 'contract.html', title: readmeTitle(markdown) ?? 'The cluster contract and the grader', navTitle: 'Contract and grader', main };
}
