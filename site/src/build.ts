// `kubelab site build`: the lesson site, as static files, from labs/ (README.md
// and lab.yaml of every lab), the suite's check metadata, the project README
// and the conformance README.
//
//   out/index.html          home: what kubelab is, the architecture, how to start
//   out/00-setup.html       the setup lesson (labs/00-setup/README.md), when present
//   out/NN-topic.html       one page per lab, each step followed by its checks
//   out/catalogue.html      every check of the suite
//   out/contract.html       the cluster contract and the grader
//   out/print.html          all lessons on one page
//   out/assets/             style, page script, search index, diagram
//   out/NN-topic/…          the files lessons link to (diagrams, manifests)
//   out/source/…            repository files that pages link to, as they are

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import { cataloguePage } from './catalogue-page.ts';
import { readCatalogue } from './catalogue.ts';
import { contractPage } from './contract-page.ts';
import { SiteBuildError } from './errors.ts';
import { homePage } from './home-page.ts';
import { layout } from './layout.ts';
import { byId, lessonPage } from './lesson-page.ts';
import { readLessons } from './lessons.ts';
import { LinkResolver } from './links.ts';
import type { RenderOptions } from './markdown.ts';
import type { Page } from './pages.ts';
import { printPage } from './print-page.ts';
import { searchIndexScript } from './search-index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_OUT = join(REPO_ROOT, 'site', 'dist');
const ASSETS = fileURLToPath(new URL('../assets/', import.meta.url));
/** Left in the output folder so a rebuild only ever clears a folder the build made. */
const MARKER = '.kubelab-site';
/** The check catalogue of the last build, reused while the suite is unchanged (catalogue.ts). */
const CATALOGUE_CACHE = '.catalogue.json';

export interface BuildOptions {
  out: string;
  /** The repository root (default: this repository). */
  root?: string;
  /** The labs folder (default: <root>/labs). */
  labsDir?: string;
  /** The check catalogue (default: read from the suite's check files). */
  catalogue?: CatalogueEntry[];
}

export interface BuildResult {
  out: string;
  pages: string[];
  warnings: string[];
  durationMs: number;
}

/** Refuses an output folder that holds anything but an earlier build. */
function checkOut(out: string): void {
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, MARKER))) {
    throw new SiteBuildError(`${out} is not empty and was not made by kubelab site build; choose another --out`);
  }
}

function prepareOut(out: string): void {
  checkOut(out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  writeFileSync(join(out, MARKER), 'made by kubelab site build; the folder is cleared on every build\n');
}

function copyAssets(out: string): void {
  for (const file of readdirSync(ASSETS)) copyFileSync(join(ASSETS, file), join(out, 'assets', file));
  // MiniSearch's browser build: a script that sets window.MiniSearch (its source map is not shipped).
  const umd = join(dirname(createRequire(import.meta.url).resolve('minisearch')), '..', 'umd', 'index.js');
  writeFileSync(join(out, 'assets', 'minisearch.js'), readFileSync(umd, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
}

export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const root = resolve(options.root ?? REPO_ROOT);
  const labsDir = resolve(options.labsDir ?? join(root, 'labs'));
  const out = resolve(options.out);
  checkOut(out);
  const read = options.catalogue ? undefined : await readCatalogue(join(out, CATALOGUE_CACHE));
  const catalogue = options.catalogue ?? read!.entries;
  const lessons = readLessons(labsDir);
  const readme = join(root, 'README.md');
  const contract = join(root, 'conformance', 'README.md');

  // Every Markdown source that becomes a page, so that links between them point to pages.
  const sources = new Map<string, string>([[readme, 'index.html'], [contract, 'contract.html']]);
  for (const lesson of lessons) {
    sources.set(join(labsDir, lesson.folder), lesson.page);
    if (lesson.readme) sources.set(lesson.readme, lesson.page);
  }
  const links = new LinkResolver(root, labsDir, sources);
  const render: RenderOptions = { root, links, catalogue: byId(catalogue) };
  const warnings: string[] = [];
  // The grader refuses unknown check ids (lab-files.ts); the site still builds, to preview a lab being written.
  for (const lesson of lessons) {
    const unknown = lesson.lab?.steps.flatMap((step) => step.checks).filter((id) => !render.catalogue.has(id)) ?? [];
    if (unknown.length) warnings.push(`${lesson.lab!.file}: no check in the suite has the id ${unknown.join(', ')}`);
  }

  const pages: Page[] = [
    homePage(readme, lessons, render),
    ...lessons.map((lesson) => lessonPage(lesson, render, warnings)),
    cataloguePage(catalogue, lessons),
    contractPage(contract, render),
    printPage(lessons, render),
  ];
  // Prev/next and the j/k keys walk these; the print page stands apart.
  const sequence = pages.filter((page) => !page.outOfSequence);

  prepareOut(out);
  copyAssets(out);
  if (read) writeFileSync(join(out, CATALOGUE_CACHE), read.cache);
  writeFileSync(join(out, 'assets', 'search-index.js'), searchIndexScript(pages));
  for (const page of pages) {
    const at = sequence.indexOf(page);
    const neighbours = at < 0 ? {} : { prev: sequence[at - 1], next: sequence[at + 1] };
    writeFileSync(join(out, page.file), layout(page, pages, neighbours));
  }
  for (const [from, to] of links.copies) {
    mkdirSync(dirname(join(out, to)), { recursive: true });
    copyFileSync(from, join(out, to));
  }
  warnings.push(...links.warnings);
  return { out, pages: pages.map((p) => p.file), warnings, durationMs: Date.now() - started };
}
