// Reading and validating labs/NN-topic/lab.yaml.
//
// A lab.yaml names the lab's steps and, for each, the checks that grade it:
//
//   name: pods                      # `kubelab grade --lab pods`
//   title: "Pods: …"
//   steps:
//     - id: run                     # stable; reports refer to it
//       title: "Run a pod's containers"
//       points: 12                  # must equal the sum of its checks' points
//       checks: [pods.lifecycle.running, …]
//   builds-on: [pods]               # optional: the labs whose code this one needs
//
// Validation makes grading trustworthy: an unknown check id, a check listed
// twice, a step whose points disagree with its checks, and a check that no
// step lists (a new check nobody graded) are all errors that name the file.
// `builds-on` names other labs (an unknown one, or a cycle, is an error too):
// the starter kit keeps their code when it keeps a lab's (scripts/starter/).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CatalogueEntry } from './catalogue.ts';

export const LABS_DIR = fileURLToPath(new URL('../../labs/', import.meta.url));

export interface StepDefinition {
  id: string;
  title: string;
  points: number;
  checks: string[];
}

export interface LabDefinition {
  name: string;
  title: string;
  /** The lab's folder name, e.g. `01-pods`. */
  folder: string;
  /** The lab.yaml it was read from (relative to the labs folder's parent, for messages). */
  file: string;
  steps: StepDefinition[];
  /** `builds-on`: the labs whose code this lab's checks need (e.g. replica sets need pods that run). */
  buildsOn?: string[];
}

export class LabFileError extends Error {}

function fail(file: string, message: string): never {
  throw new LabFileError(`${file}: ${message}`);
}

function text(value: unknown, file: string, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(file, `${where} must be a non-empty string`);
  return value;
}

/** Checks one lab.yaml's shape (not yet its check ids) and returns it typed. */
export function parseLab(source: string, file: string, folder: string): LabDefinition {
  let doc: any;
  try {
    doc = parse(source);
  } catch (err) {
    fail(file, `not valid YAML: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') fail(file, 'expected a mapping with name, title and steps');
  const name = text(doc.name, file, 'name');
  const title = text(doc.title, file, 'title');
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) fail(file, 'steps must be a non-empty list');
  const stepIds = new Set<string>();
  const steps = doc.steps.map((step: any, i: number): StepDefinition => {
    const where = `steps[${i}]`;
    if (!step || typeof step !== 'object') fail(file, `${where} must be a mapping with id, title, points and checks`);
    const id = text(step.id, file, `${where}.id`);
    if (stepIds.has(id)) fail(file, `step id "${id}" appears twice`);
    stepIds.add(id);
    if (!Number.isFinite(step.points) || step.points < 0) fail(file, `step "${id}": points must be a number ≥ 0`);
    if (!Array.isArray(step.checks) || step.checks.length === 0) fail(file, `step "${id}": checks must be a non-empty list of check ids`);
    return { id, title: text(step.title, file, `step "${id}" title`), points: step.points, checks: step.checks.map((c: unknown) => text(c, file, `step "${id}" checks`)) };
  });
  return { name, title, folder, file, steps, buildsOn: buildsOnOf(doc['builds-on'], file, name) };
}

/** The optional `builds-on` list: lab names, each once, not the lab itself. */
function buildsOnOf(value: unknown, file: string, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(file, 'builds-on must be a list of lab names, e.g. [pods]');
  const labs = value.map((lab) => text(lab, file, 'builds-on'));
  if (labs.includes(name)) fail(file, `lab "${name}" builds on itself`);
  const twice = labs.find((lab, i) => labs.indexOf(lab) !== i);
  if (twice) fail(file, `builds-on names "${twice}" twice`);
  return labs;
}

/**
 * Validates the labs against the catalogue: every id exists, belongs to one
 * step of one lab only, each step's points are its checks' points, and every
 * check of the catalogue is graded somewhere.
 */
export function validateLabs(labs: LabDefinition[], catalogue: CatalogueEntry[]): void {
  const byId = new Map(catalogue.map((c) => [c.id, c]));
  const owner = new Map<string, string>();
  const names = new Map<string, string>();
  for (const lab of labs) {
    if (names.has(lab.name)) fail(lab.file, `lab name "${lab.name}" is also used by ${names.get(lab.name)}`);
    names.set(lab.name, lab.file);
    for (const step of lab.steps) {
      let sum = 0;
      for (const id of step.checks) {
        const meta = byId.get(id);
        if (!meta) fail(lab.file, `step "${step.id}" names unknown check id "${id}" (check ids look like <lab>.<topic>.<name>, from conformance/checks/)`);
        const where = `${lab.file} step "${step.id}"`;
        if (owner.has(id)) fail(lab.file, `check "${id}" is listed twice: in ${owner.get(id)} and in ${where}`);
        owner.set(id, where);
        sum += meta.points;
      }
      if (sum !== step.points) {
        fail(lab.file, `step "${step.id}" says points: ${step.points}, but its checks are worth ${sum} (a step's points are the sum of its checks' points)`);
      }
    }
  }
  const ungraded = catalogue.filter((c) => !owner.has(c.id));
  if (ungraded.length) {
    throw new LabFileError(`${ungraded.length} check(s) belong to no step of any lab.yaml: ${ungraded.map((c) => `${c.id} (${c.file})`).join(', ')}`);
  }
}

/**
 * Validates the labs' `builds-on`: every name is a lab, and no lab builds on
 * itself through others (a cycle has no order to take the labs in).
 */
export function validateBuildsOn(labs: LabDefinition[]): void {
  const byName = new Map(labs.map((lab) => [lab.name, lab]));
  for (const lab of labs) {
    for (const below of lab.buildsOn ?? []) {
      if (!byName.has(below)) fail(lab.file, `builds-on names unknown lab "${below}" (labs: ${labs.map((l) => l.name).join(', ')})`);
    }
  }
  // Depth-first from each lab; meeting a lab still on the path closes a cycle.
  const done = new Set<string>();
  const visit = (lab: LabDefinition, path: string[]) => {
    if (done.has(lab.name)) return;
    const at = path.indexOf(lab.name);
    if (at >= 0) fail(lab.file, `builds-on makes a cycle: ${[...path.slice(at), lab.name].join(' → ')}`);
    for (const below of lab.buildsOn ?? []) visit(byName.get(below)!, [...path, lab.name]);
    done.add(lab.name);
  };
  for (const lab of labs) visit(lab, []);
}

/** The labs that `name` builds on, directly or through others, in the labs' order (without `name`). */
export function labsBelow(labs: LabDefinition[], name: string): LabDefinition[] {
  const byName = new Map(labs.map((lab) => [lab.name, lab]));
  const found = new Set<string>();
  const visit = (lab: string) => {
    for (const below of byName.get(lab)?.buildsOn ?? []) {
      if (!found.has(below)) {
        found.add(below);
        visit(below);
      }
    }
  };
  visit(name);
  return labs.filter((lab) => found.has(lab.name));
}

/** Reads every labs/<folder>/lab.yaml, in folder order (00-api, 01-pods, …). */
export function readLabs(dir = LABS_DIR): LabDefinition[] {
  if (!existsSync(dir)) throw new LabFileError(`no labs folder at ${dir}`);
  const base = join(dir, '..');
  const labs = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'lab.yaml')))
    .map((entry) => entry.name)
    .sort()
    .map((folder) => {
      const path = join(dir, folder, 'lab.yaml');
      return parseLab(readFileSync(path, 'utf8'), relative(base, path), folder);
    });
  validateBuildsOn(labs);
  return labs;
}

/** The labs a `--lab` selects: by name (pods) or folder (01-pods); all without one. */
export function selectLabs(labs: LabDefinition[], name?: string): LabDefinition[] {
  if (!name) return labs;
  const chosen = labs.filter((lab) => lab.name === name || lab.folder === name);
  if (chosen.length === 0) throw new LabFileError(`no lab named "${name}" (labs: ${labs.map((l) => l.name).join(', ')})`);
  return chosen;
}
