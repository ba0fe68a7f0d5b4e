// kubelab.yaml: how the harness starts an implementation (DESIGN.md, "The cluster contract").
//
//   name: my-orchestrator
//   controlPlane: { command: [...] }          # the API server (and whatever runs with it)
//   components:   { scheduler: { command: [...] }, ... }   # optional, stoppable by name
//   node:         { command: [...] }          # one process per node
//   container:    { image: ..., dockerfile: ..., context: ..., workdir: ... }   # optional: for the container driver

import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ProcessSpec {
  command: string[];
  /** Extra environment for this process. */
  env?: Record<string, string>;
}

/**
 * How the container driver gets an implementation's image (conformance/README.md,
 * "The container driver"): the image to run, and, when the harness should build
 * it, the Dockerfile and build context (relative to the kubelab.yaml's folder).
 * The commands above run in the image, in workdir (default: the image's WORKDIR).
 */
export interface ContainerSpec {
  image: string;
  dockerfile?: string;
  context?: string;
  workdir?: string;
}

export interface Contract {
  /** The folder that holds kubelab.yaml; commands run there. */
  dir: string;
  name: string;
  controlPlane: ProcessSpec;
  components: Record<string, ProcessSpec>;
  node?: ProcessSpec;
  container?: ContainerSpec;
}

export class ContractError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ContractError';
  }
}

function processSpec(file: string, field: string, value: unknown): ProcessSpec {
  const spec = value as ProcessSpec | undefined;
  if (!spec || typeof spec !== 'object') throw new ContractError(file, `${field} must be a map with a "command" list`);
  if (!Array.isArray(spec.command) || spec.command.length === 0 || !spec.command.every((c) => typeof c === 'string')) {
    throw new ContractError(file, `${field}.command must be a non-empty list of strings, e.g. ["node", "dist/apiserver.js"]`);
  }
  if (spec.env !== undefined && (typeof spec.env !== 'object' || Object.values(spec.env).some((v) => typeof v !== 'string'))) {
    throw new ContractError(file, `${field}.env must map names to strings`);
  }
  return { command: spec.command, env: spec.env };
}

function containerSpec(file: string, value: unknown): ContainerSpec {
  const spec = value as Record<string, unknown> | null;
  if (!spec || typeof spec !== 'object') throw new ContractError(file, 'container must be a map with an "image" name, e.g. { image: my-orchestrator:dev, dockerfile: Dockerfile }');
  if (typeof spec.image !== 'string' || !spec.image) throw new ContractError(file, 'container.image must name an image, e.g. my-orchestrator:dev');
  for (const field of ['dockerfile', 'context', 'workdir'] as const) {
    if (spec[field] !== undefined && typeof spec[field] !== 'string') throw new ContractError(file, `container.${field} must be a string`);
  }
  return { image: spec.image, dockerfile: spec.dockerfile as string | undefined, context: spec.context as string | undefined, workdir: spec.workdir as string | undefined };
}

export function readContract(implDir: string): Contract {
  const dir = resolve(implDir);
  const file = join(dir, 'kubelab.yaml');
  if (!existsSync(file)) throw new ContractError(file, 'not found: an implementation needs a kubelab.yaml at its root (see the README, "Grading your own implementation")');
  let doc: any;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContractError(file, `not valid YAML: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new ContractError(file, 'must be a YAML map');
  if (typeof doc.name !== 'string' || !doc.name) throw new ContractError(file, 'name is required');
  const components: Record<string, ProcessSpec> = {};
  for (const [name, spec] of Object.entries(doc.components ?? {})) {
    components[name] = processSpec(file, `components.${name}`, spec);
  }
  return {
    dir,
    name: doc.name,
    controlPlane: processSpec(file, 'controlPlane', doc.controlPlane),
    components,
    node: doc.node === undefined ? undefined : processSpec(file, 'node', doc.node),
    container: doc.container === undefined ? undefined : containerSpec(file, doc.container),
  };
}
