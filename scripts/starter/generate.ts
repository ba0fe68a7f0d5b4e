// Generates the starter kit: a copy of the reference in which the code each
// lab asks for (the LAB regions, see regions.ts) is replaced by a TODO that
// throws, so that the reference and the starter never drift apart.
//
// The starter holds src/ (the reference's reference/src), kubelab.yaml,
// package.json (only what the reference needs at run time), tsconfig.json,
// README.md and scripts/ to check and grade it from a kubelab checkout.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRegions, stubRegions, type Region } from './regions.ts';
import { partsOf, teachingLab } from './lab-order.ts';
import { readLabs } from '../../conformance/grading/lab-files.ts';
import { starterReadme, starterScripts, type LabInOrder } from './files.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFERENCE_SRC = join(REPO_ROOT, 'reference/src');

export interface StarterOptions {
  out: string;
  /** Labs whose regions stay in place (an instructor handing out a later lab). */
  keep?: string[];
}

export interface StarterResult {
  out: string;
  /** Every region stubbed out, with the file it was in (relative to the starter). */
  stubbed: (Region & { file: string })[];
  kept: (Region & { file: string })[];
}

/** Every lab that marks a region in the reference, each once. */
export function labsWithRegions(): string[] {
  const labs = new Set<string>();
  for (const file of sourceFiles(REFERENCE_SRC)) {
    for (const r of findRegions(readFileSync(file, 'utf8'), relative(REPO_ROOT, file))) labs.add(r.lab);
  }
  return [...labs].sort();
}

/**
 * The lab folder that teaches a region's lab: the labs/NN-topic whose lab.yaml
 * is named so, or else the one that grades its checks (<lab>.…), e.g. the
 * scheduler's checks are graded in the pods lab.
 */
export function labFolder(lab: string): string | undefined {
  return teachingLab(readLabs(), lab)?.folder;
}

/** The labs of labs/, in folder order, with the parts each teaches and what it builds on. */
function labOrder(): LabInOrder[] {
  const labs = readLabs();
  const parts = labsWithRegions();
  return labs.map((lab) => ({ lab: lab.name, folder: lab.folder, parts: partsOf(labs, lab, parts), buildsOn: lab.buildsOn ?? [] }));
}

export function generateStarter(options: StarterOptions): StarterResult {
  const keep = new Set(options.keep ?? []);
  const known = labsWithRegions();
  const unknown = [...keep].filter((lab) => !known.includes(lab));
  if (unknown.length) throw new Error(`--keep ${unknown.join(' ')}: no such lab marks a region (labs: ${known.join(', ')})`);

  const out = options.out;
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} exists and is not empty: choose a new folder`);
  mkdirSync(out, { recursive: true });

  const stubbed: StarterResult['stubbed'] = [];
  const todos: { lab: string; where: string }[] = [];
  const kept: StarterResult['kept'] = [];
  const folders = new Map<string, string | undefined>();
  const message = (region: Region, what: string) => {
    if (!folders.has(region.lab)) folders.set(region.lab, labFolder(region.lab));
    const folder = folders.get(region.lab);
    return `TODO(lab ${region.lab}): ${what}${folder ? `; see labs/${folder}` : ''}`;
  };

  // src/: the reference, its regions stubbed. Non-TypeScript files (schemas.json) are copied as they are.
  cpSync(REFERENCE_SRC, join(out, 'src'), { recursive: true });
  for (const file of sourceFiles(join(out, 'src'))) {
    const name = relative(out, file);
    const text = readFileSync(file, 'utf8');
    const all = findRegions(text, name);
    if (all.length === 0) continue;
    const result = stubRegions(text, name, keep, message);
    writeFileSync(file, result.text);
    // Where each TODO is in the starter's file (a stub is shorter than the code it replaces).
    result.text.split('\n').forEach((line, i) => {
      const todo = /^\s*\/\/ TODO\(lab ([a-z-]+)\): /.exec(line);
      if (todo) todos.push({ lab: todo[1], where: `${name}:${i + 1}` });
    });
    stubbed.push(...result.stubbed.map((r) => ({ ...r, file: name })));
    kept.push(...all.filter((r) => keep.has(r.lab)).map((r) => ({ ...r, file: name })));
  }

  // The launcher that starts each program from its TypeScript source (bundled once, see the file).
  cpSync(join(REPO_ROOT, 'reference/launch.mjs'), join(out, 'launch.mjs'));
  writeFileSync(join(out, 'kubelab.yaml'), starterContract());
  writeFileSync(join(out, 'package.json'), JSON.stringify(starterPackage(), null, 2) + '\n');
  writeFileSync(join(out, 'tsconfig.json'), JSON.stringify(starterTsconfig(), null, 2) + '\n');
  writeFileSync(join(out, '.gitignore'), 'node_modules/\n.kubelab/\nkubelab-grade/\n');
  // In the order the labs are taken (their folders' numbers).
  const labs = [...new Set(stubbed.map((r) => r.lab))]
    .map((lab) => ({ lab, folder: folders.get(lab), regions: todos.filter((t) => t.lab === lab).map((t) => t.where) }))
    .sort((a, b) => (a.folder ?? '~').localeCompare(b.folder ?? '~') || a.lab.localeCompare(b.lab));
  writeFileSync(join(out, 'README.md'), starterReadme(labs, [...keep].sort(), labOrder()));
  mkdirSync(join(out, 'scripts'), { recursive: true });
  for (const [name, text] of Object.entries(starterScripts())) {
    writeFileSync(join(out, 'scripts', name), text);
    chmodSync(join(out, 'scripts', name), 0o755);
  }
  return { out, stubbed, kept };
}

/**
 * The reference's kubelab.yaml, pointed at src/. Its `container:` section goes:
 * it names the reference's image and Dockerfile, which a starter does not have.
 */
function starterContract(): string {
  const reference = readFileSync(join(REPO_ROOT, 'kubelab.yaml'), 'utf8');
  const body = withoutSection(reference.split('\n').filter((line) => !line.startsWith('#')), 'container')
    .join('\n')
    .replace(/^name:.*$/m, 'name: kubelab-starter')
    .replaceAll('reference/launch.mjs', 'launch.mjs')
    .replaceAll('reference/src/', 'src/')
    .trimStart();
  return [
    '# How the kubelab harness starts this implementation (kubelab DESIGN.md, "The cluster contract"):',
    '# one control-plane process, one process per node, and the other components.',
    body,
  ].join('\n');
}

/** The lines without a top-level YAML key's block (the key's line and the indented lines under it). */
function withoutSection(lines: string[], key: string): string[] {
  const start = lines.findIndex((line) => line.startsWith(`${key}:`));
  if (start < 0) return lines;
  let end = start + 1;
  while (end < lines.length && /^\s/.test(lines[end])) end++;
  return [...lines.slice(0, start), ...lines.slice(end)];
}

/** What the reference needs at run time, at the versions the kubelab checkout uses. */
function starterPackage(): Record<string, unknown> {
  const repo = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const pick = (from: Record<string, string>, names: string[]) =>
    Object.fromEntries(names.filter((n) => from[n]).map((n) => [n, from[n]]));
  return {
    name: 'kubelab-starter',
    version: '0.1.0',
    private: true,
    type: 'module',
    description: 'A kubelab starter implementation: the reference orchestrator with the labs left to write.',
    engines: repo.engines,
    scripts: {
      typecheck: 'tsc --noEmit -p .',
      todo: 'scripts/todo.sh',
      check: 'scripts/check.sh',
      grade: 'scripts/grade.sh',
    },
    dependencies: pick(repo.dependencies, [...runtimeImports()].sort()),
    devDependencies: pick({ ...repo.dependencies, ...repo.devDependencies }, ['@types/better-sqlite3', '@types/node', 'typescript']),
  };
}

/** The packages src/ imports (plus esbuild, which launch.mjs bundles it with, and tsx for one-off scripts). */
function runtimeImports(): Set<string> {
  const names = new Set(['esbuild', 'tsx']);
  for (const file of sourceFiles(REFERENCE_SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^import[^'"]*from '([^.'][^']*)'/gm)) {
      if (m[1].startsWith('node:')) continue;
      const parts = m[1].split('/');
      names.add(m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

/**
 * The checkout's compiler settings, minus noUnusedLocals: a stubbed region
 * leaves imports and helpers that only the student's code will use.
 */
function starterTsconfig(): Record<string, unknown> {
  const repo = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8'));
  return {
    compilerOptions: { ...repo.compilerOptions, noUnusedLocals: false, noUnusedParameters: false },
    include: ['src'],
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
