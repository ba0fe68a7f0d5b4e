// The link checker of the built site: every link, script, stylesheet and image
// of every page must resolve to a file of the site (and a fragment to an id of
// that page), and no page may load a script, style, image or font from
// another host. Links to other sites (<a href="https://…">) are allowed.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface LinkProblem {
  page: string;
  reference: string;
  problem: string;
}

const REFERENCE = /<(a|link|script|img|source|iframe)\b[^>]*?\s(href|src)="([^"]*)"/g;
const EXTERNAL = /^([a-z][a-z0-9+.-]*:|\/\/)/i;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(dir, f));
}

function decodeAttr(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export function checkLinks(dir: string): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const ids = new Map<string, Set<string>>();
  const idsOf = (file: string) => {
    if (!ids.has(file)) ids.set(file, new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]*)"/g)].map((m) => decodeAttr(m[1]))));
    return ids.get(file)!;
  };
  for (const file of htmlFiles(dir)) {
    const page = relative(dir, file);
    const html = readFileSync(file, 'utf8');
    for (const [, tag, , raw] of html.matchAll(REFERENCE)) {
      const reference = decodeAttr(raw);
      const report = (problem: string) => problems.push({ page, reference, problem });
      if (EXTERNAL.test(reference)) {
        if (tag !== 'a') report(`<${tag}> loads from another host: pages must work offline`);
        else if (/^(javascript|file):/i.test(reference)) report('not a link a reader can follow');
        continue;
      }
      if (reference.startsWith('/')) { report('an absolute path does not work opened from disk'); continue; }
      const [path, fragment] = reference.split('#', 2) as [string, string | undefined];
      const target = path === '' ? file : join(dirname(file), decodeURIComponent(path.split('?')[0]));
      if (!existsSync(target) || statSync(target).isDirectory()) { report(`no file ${relative(dir, target)}`); continue; }
      if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) report(`no id "${fragment}" in ${relative(dir, target)}`);
    }
  }
  return problems;
}
