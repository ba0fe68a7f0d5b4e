// Where a relative link in a Markdown source points on the site.
//
// The site is flat: every page is a file at the top of the output folder
// (index.html, 01-pods.html, …), so links between pages stay relative and
// work from a web server and straight from disk alike. A link is resolved
// from the folder of the Markdown file that contains it:
//
//   ../01-pods/README.md#step-run   → 01-pods.html#step-run   (a page)
//   manifests/pod.yaml, diagram.svg → 01-pods/manifests/pod.yaml (copied)
//   ../../reference/src/x.ts        → source/reference/src/x.ts (copied)
//
// A link to a file that does not exist fails the build with the file it is in.

import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { SiteBuildError } from './errors.ts';

export class LinkResolver {
  /** Every file a page links to that the build must copy: source path → path in the output. */
  readonly copies = new Map<string, string>();
  /** Links the build could not keep (a folder without a README): shown as plain text, reported. */
  readonly warnings: string[] = [];

  /**
   * @param root     the repository root: links may not leave it
   * @param labsDir  the labs folder: its files keep their lab folder on the site
   * @param pages    Markdown source or lesson folder (absolute path) → the page made from it
   */
  constructor(private root: string, private labsDir: string, private pages: Map<string, string>) {}

  /** The href to write for `href` found in `fromFile` (`where` names it in messages), or undefined to drop the link. */
  resolve(href: string, fromFile: string, where: string): string | undefined {
    // Absolute URLs (https:, mailto:) and fragments of the same page stay as they are.
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('//')) return href;
    const [, path, suffix = ''] = /^([^?#]*)([?#].*)?$/.exec(href)!;
    if (path === '') return href;
    let target = resolve(fromFile, '..', decodeURIComponent(path));
    if (!existsSync(target)) throw new SiteBuildError(`${where}: broken link "${href}": there is no ${relative(this.root, target)}`);
    if (statSync(target).isDirectory()) {
      if (this.pages.has(target)) return this.pages.get(target)! + suffix;
      const readme = join(target, 'README.md');
      if (!existsSync(readme)) {
        this.warnings.push(`${where}: "${href}" links to a folder; it is shown as plain text`);
        return undefined;
      }
      target = readme;
    }
    const page = this.pages.get(target);
    if (page) return page + suffix;
    return this.copy(target, where, href) + suffix;
  }

  private copy(target: string, where: string, href: string): string {
    const inLabs = relative(this.labsDir, target);
    const inRoot = relative(this.root, target);
    let out: string;
    if (!inLabs.startsWith('..') && !inLabs.startsWith(sep)) out = inLabs;
    else if (!inRoot.startsWith('..') && !inRoot.startsWith(sep)) out = join('source', inRoot);
    else throw new SiteBuildError(`${where}: link "${href}" leaves the repository`);
    const url = out.split(sep).map(encodeURIComponent).join('/');
    this.copies.set(target, out);
    return url;
  }
}
