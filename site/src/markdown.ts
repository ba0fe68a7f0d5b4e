// The Markdown renderer of the site: markdown-it with heading anchors,
// containers for hints, warnings and solutions, highlighted code blocks with
// copy buttons, and the lesson markers of labs/README.md:
//
//   <!-- step: <id> -->            under a step heading → the step's checks box
//   <!-- code: <file>#<lab> -->    → the code of that file's LAB(<lab>) regions
//
// Relative links and images are rewritten to where the site keeps them (links.ts).

import MarkdownIt from 'markdown-it';
import type { MarkdownIt as Markdown, StateCore, Token } from 'markdown-it';
import anchor from 'markdown-it-anchor';
import container from 'markdown-it-container';
import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import type { LabDefinition } from '../../conformance/grading/lab-files.ts';
import { CODE_MARKER, regionCode } from './code-regions.ts';
import { SiteBuildError } from './errors.ts';
import { codeBlock } from './highlight.ts';
import { escapeHtml, slug } from './html.ts';
import type { LinkResolver } from './links.ts';
import { stepAnchor, stepBox } from './step-box.ts';

const STEP_MARKER = /^<!--\s*step:\s*([^\s]+)\s*-->\s*$/;

export interface RenderOptions {
  /** The repository root: code includes name files relative to it. */
  root: string;
  links: LinkResolver;
  catalogue: Map<string, CatalogueEntry>;
  /** Added to every heading level (the print page nests each lesson one level down). */
  shiftHeadings?: number;
  /** Put before every id and same-page fragment (the print page holds many lessons). */
  idPrefix?: string;
  /**
   * Pages whose text is on the page being rendered (the print page): page file →
   * the id prefix of its section. A link to such a page, or to an anchor in it,
   * then stays on this page.
   */
  pagesHere?: Map<string, string>;
}

/** What one rendering needs to know and tells back. */
export type RenderEnv = {
  /** The Markdown file (absolute path), for links and error messages. */
  file: string;
  /** Its path for messages, e.g. labs/01-pods/README.md. */
  where: string;
  /** The lab whose README this is: its steps' markers become check boxes. */
  lab?: LabDefinition;
  /** The step ids met, in order. */
  steps: string[];
};

const CONTAINERS: Record<string, { open: (title: string) => string; close: string }> = {
  hint: { open: (t) => `<details class="hint"><summary>Hint${t ? `: ${t}` : ''}</summary>\n`, close: '</details>\n' },
  solution: { open: (t) => `<details class="solution"><summary>Solution${t ? `: ${t}` : ''}</summary>\n`, close: '</details>\n' },
  warning: { open: (t) => `<aside class="warning" role="note"><p class="callout-title">Warning${t ? `: ${t}` : ''}</p>\n`, close: '</aside>\n' },
};

export function createMarkdown(options: RenderOptions): Markdown {
  const prefix = options.idPrefix ?? '';
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  md.use(anchor, {
    slugify: (s: string) => prefix + slug(s),
    tabIndex: false,
    // A "#" after each heading links to it, for sharing; screen readers skip it (the heading says it all).
    permalink: anchor.permalink.ariaHidden({ placement: 'after', class: 'header-anchor', symbol: '#' }),
  });
  for (const [name, { open, close }] of Object.entries(CONTAINERS)) {
    md.use(container, name, {
      render: (tokens: Token[], idx: number) => {
        if (tokens[idx].nesting !== 1) return close;
        const title = tokens[idx].info.trim().slice(name.length).trim();
        return open(escapeHtml(title));
      },
    });
  }
  // A wide table scrolls by itself on a narrow screen, rather than the whole page.
  md.renderer.rules.table_open = () => '<div class="table-wrap"><table>\n';
  md.renderer.rules.table_close = () => '</table></div>\n';
  md.renderer.rules.fence = (tokens, idx) => {
    const language = tokens[idx].info.trim().split(/\s+/)[0] ?? '';
    return codeBlock(tokens[idx].content, language);
  };
  // Before the anchor rule, so that a step heading keeps the id it is given here.
  md.core.ruler.before('anchor', 'kubelab-lesson', (state: StateCore) => {
    const env = state.env as unknown as RenderEnv;
    state.tokens.forEach((token, i) => {
      if (token.type === 'html_block') lessonMarker(state.tokens, i, env, options);
      if ((token.type === 'heading_open' || token.type === 'heading_close') && options.shiftHeadings) {
        token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + options.shiftHeadings)}`;
      }
      if (token.type === 'inline' && token.children) rewriteLinks(token.children, env, options);
    });
  });
  return md;
}

function lessonMarker(tokens: Token[], i: number, env: RenderEnv, options: RenderOptions): void {
  const token = tokens[i];
  const text = token.content.trim();
  const code = CODE_MARKER.exec(text);
  if (code) {
    const [, file, lab] = code;
    token.content = codeBlock(regionCode(options.root, file, lab, env.where), 'typescript', file);
    return;
  }
  const marker = STEP_MARKER.exec(text);
  if (!marker) return;
  const id = marker[1];
  const step = env.lab?.steps.find((s) => s.id === id);
  if (!env.lab || !step) {
    const known = env.lab ? `its lab.yaml has the steps ${env.lab.steps.map((s) => s.id).join(', ')}` : 'it is not a lab README';
    throw new SiteBuildError(`${env.where}: <!-- step: ${id} --> names no step (${known})`);
  }
  if (env.steps.includes(id)) throw new SiteBuildError(`${env.where}: <!-- step: ${id} --> appears twice`);
  const heading = tokens[i - 3];
  if (tokens[i - 1]?.type !== 'heading_close' || heading?.type !== 'heading_open') {
    throw new SiteBuildError(`${env.where}: <!-- step: ${id} --> must be on the line after its "## Step N: …" heading`);
  }
  env.steps.push(id);
  heading.attrSet('id', (options.idPrefix ?? '') + stepAnchor(step));
  heading.attrJoin('class', 'step-heading');
  token.content = stepBox(env.lab, step, options.catalogue);
}

function rewriteLinks(children: Token[], env: RenderEnv, options: RenderOptions): void {
  children.forEach((child, i) => {
    const attr = child.type === 'link_open' ? 'href' : child.type === 'image' ? 'src' : undefined;
    if (!attr) return;
    const value = child.attrGet(attr) as string | null;
    if (value === null) return;
    if (value.startsWith('#') && options.idPrefix) {
      child.attrSet(attr, `#${options.idPrefix}${value.slice(1)}`);
      return;
    }
    const resolved = options.links.resolve(value, env.file, env.where);
    if (resolved !== undefined) {
      child.attrSet(attr, (child.type === 'link_open' && options.pagesHere && linkHere(resolved, options.pagesHere)) || resolved);
    } else if (child.type === 'link_open') {
      // A link the site cannot follow becomes plain text (links.ts says why).
      child.tag = 'span';
      child.attrs = null;
      const close = children.slice(i).find((c) => c.type === 'link_close');
      if (close) close.tag = 'span';
    }
  });
}

/**
 * `02-second.html#step-scale` as a fragment of this page when that page's text
 * is here too: `#02-second-step-scale` (its ids carry its prefix), or the top of
 * its section (`#02-second-lesson`) when the link names no anchor.
 */
function linkHere(href: string, pagesHere: Map<string, string>): string | undefined {
  const [, file, fragment] = /^([^/?#]+\.html)(?:#(.*))?$/.exec(href) ?? [];
  const prefix = file === undefined ? undefined : pagesHere.get(file);
  if (prefix === undefined) return undefined;
  return `#${prefix}${fragment ? fragment : 'lesson'}`;
}
