// `<!-- code: reference/src/path/file.ts#<lab> -->` in a lesson: the code of
// that file's LAB(<lab>) regions, read from the source at build time so a
// lesson never shows stale code. The regions are found with the same parser
// that makes the starter kit (scripts/starter/regions.ts), so the site and the
// starter agree on what a region is.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRegions } from '../../scripts/starter/regions.ts';
import { SiteBuildError } from './errors.ts';

export const CODE_MARKER = /^<!--\s*code:\s*(\S+?)#([a-z][a-z-]*)\s*-->\s*$/;

/** Removes the indentation every non-blank line shares. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut));
}

/**
 * The text of every LAB(<lab>) region of `file` (relative to `root`), in order,
 * without the marks, separated by a `// …` line. Throws when the file or the
 * region is missing: a lesson must not silently lose its code.
 */
export function regionCode(root: string, file: string, lab: string, where: string): string {
  const path = join(root, file);
  if (!existsSync(path)) throw new SiteBuildError(`${where}: <!-- code: ${file}#${lab} -->: there is no file ${file}`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const regions = findRegions(text, file).filter((r) => r.lab === lab);
  if (regions.length === 0) {
    throw new SiteBuildError(`${where}: <!-- code: ${file}#${lab} -->: ${file} has no LAB(${lab}) region (mark one with "// LAB(${lab}) begin: …" and "// LAB end")`);
  }
  return regions.map((r) => dedent(lines.slice(r.beginLine + 1, r.endLine)).join('\n')).join('\n// …\n');
}
