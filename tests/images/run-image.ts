// A tiny node agent for the image tests: it finds an image in the catalogue
// and starts a container as a child process, following the rules of
// conformance/images/README.md (command line, environment, working
// directory, exit codes), so the tests also check that image.json works.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../conformance/harness/ports.ts';

export const CATALOGUE = fileURLToPath(new URL('../../conformance/images/', import.meta.url));

export interface ImageJson {
  name: string;
  tags: string[];
  entrypoint: string[];
  args: string[];
  env: Record<string, string>;
  ports: number[];
}

export interface Image {
  dir: string;
  json: ImageJson;
}

/** Every image of the catalogue, by name. */
export function catalogue(): Map<string, Image> {
  const images = new Map<string, Image>();
  for (const folder of readdirSync(CATALOGUE)) {
    const file = join(CATALOGUE, folder, 'image.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as ImageJson;
    images.set(json.name, { dir: join(CATALOGUE, folder), json });
  }
  return images;
}

/** "kubelab/web:2" → the image and the tag; throws, as ErrImagePull would, when the catalogue lacks it. */
export function findImage(reference: string): { image: Image; tag: string } {
  const colon = reference.lastIndexOf(':');
  const hasTag = colon > reference.lastIndexOf('/');
  const name = hasTag ? reference.slice(0, colon) : reference;
  const tag = hasTag ? reference.slice(colon + 1) : 'latest';
  const image = catalogue().get(name);
  if (!image || !image.json.tags.includes(tag)) throw new Error(`${reference} is not in the image catalogue`);
  return { image, tag };
}

/** The process's command line: Kubernetes' command/args rules, with "./" entrypoint files made absolute. */
export function commandLine(image: Image, command?: string[], args?: string[]): string[] {
  if (command) return [...command, ...(args ?? [])];
  const entrypoint = image.json.entrypoint.map((part) => (part.startsWith('./') ? join(image.dir, part) : part));
  return [...entrypoint, ...(args ?? image.json.args)];
}

export interface Container {
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  podName?: string;
  /** The pod IP; undefined sets no KUBELAB_POD_IP, as in a real container. */
  podIP?: string;
  /** mountPath → folder; null sets no KUBELAB_MOUNTS, as in a real container. */
  mounts?: Record<string, string> | null;
  /** The working directory the node agent chose; the image folder when not given. */
  cwd?: string;
}

export interface Exit {
  code: number; // 128 + N for a process killed by signal N, as Kubernetes reports
  signal: NodeJS.Signals | null;
}

export class Running {
  readonly started = Date.now();
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolveExit) => {
      child.on('close', (code, signal) => {
        resolveExit({ code: signal ? 128 + constants.signals[signal] : code!, signal });
      });
    });
  }

  lines(): string[] {
    return this.stdout.split('\n').filter(Boolean);
  }

  /** Waits for a stdout line that matches; fails with the output so far. */
  async waitForLine(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines().find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await sleep(20);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

const running = new Set<Running>();

/** Starts a container of the image and returns at once. */
export function startContainer(container: Container): Running {
  const { image, tag } = findImage(container.image);
  const [program, ...rest] = commandLine(image, container.command, container.args);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOSTNAME: container.podName ?? 'test-pod',
    KUBELAB_IMAGE_TAG: tag,
    ...image.json.env,
    ...container.env,
  };
  if (container.podIP !== undefined) env.KUBELAB_POD_IP = container.podIP;
  if (container.mounts !== null) env.KUBELAB_MOUNTS = JSON.stringify(container.mounts ?? {});
  const child = spawn(program, rest, { cwd: container.cwd ?? image.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = new Running(child);
  running.add(run);
  return run;
}

/** Kills every container the tests started that is still running. */
export function killAll(): void {
  for (const run of running) run.kill('SIGKILL');
  running.clear();
}

/** A random address in 127.0.0.0/8, like a pod IP, and a free port on it. */
export async function podAddress(): Promise<{ ip: string; port: number }> {
  const ip = `127.0.0.${2 + Math.floor(Math.random() * 250)}`;
  return { ip, port: await freePort(ip) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
