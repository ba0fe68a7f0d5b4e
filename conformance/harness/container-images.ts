// The images the container driver runs, built on this machine without a
// registry (none is reachable: nothing is ever pulled).
//
//   kubelab/busybox-base:1   /bin/busybox (static) and its applet links, `docker import`ed
//   kubelab/node:20          that, plus this machine's node binary and the libraries it links (ldd)
//   kubelab/web:1, :2, kubelab/busybox:1
//                            the lab images, from conformance/images/<name>/Dockerfile (FROM kubelab/node:20)
//   an implementation's own  from the `container:` section of its kubelab.yaml (contract.ts),
//                            e.g. the reference: kubelab/reference:dev from the repository's Dockerfile
//
// The busybox base is not called kubelab/busybox:1: that name belongs to the lab image.
// Every image carries the hash of what it was made from as the label
// dev.kubelab.inputs, and is made again only when that hash changes, so a second
// run costs a few `docker image inspect`s.

import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, dockerOk } from './docker.ts';
import type { ContainerSpec } from './contract.ts';

export const INPUTS_LABEL = 'dev.kubelab.inputs';
export const BUSYBOX_BASE = 'kubelab/busybox-base:1';
export const NODE_BASE = 'kubelab/node:20';
const IMAGES_DIR = fileURLToPath(new URL('../images/', import.meta.url));
const BUSYBOX = '/bin/busybox';

export interface BuiltImage {
  name: string;
  /** False when the image was already there with the same inputs. */
  built: boolean;
  ms: number;
}

function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 24);
}

/** The inputs hash an image was made from ('' when the image is not there). */
async function inputsOf(image: string): Promise<string> {
  const result = await docker(['image', 'inspect', '--format', `{{index .Config.Labels "${INPUTS_LABEL}"}}`, image]);
  return result.status === 0 ? result.stdout.trim() : '';
}

/** Makes the image with make() unless it exists with this inputs hash. */
async function ensure(name: string, inputs: string, make: () => Promise<void>): Promise<BuiltImage> {
  const started = Date.now();
  if ((await inputsOf(name)) === inputs) return { name, built: false, ms: Date.now() - started };
  await make();
  return { name, built: true, ms: Date.now() - started };
}

/** `tar -C dir -c . | docker import …`: a root file system becomes an image with no build and no pull. */
async function importRootfs(dir: string, name: string, changes: string[]): Promise<void> {
  const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await dockerOk(['import', ...changes.flatMap((c) => ['-c', c]), '-', name], { input: tar.stdout });
}

async function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolveOut, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveOut(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}`))));
  });
}

/** A minimal root: busybox with a link per applet, /tmp, /etc/passwd (the recipe kind of images are made with). */
async function busyboxRootfs(root: string): Promise<void> {
  for (const dir of ['bin', 'etc', 'proc', 'sys', 'dev', 'root']) mkdirSync(join(root, dir), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of (await capture(BUSYBOX, ['--list'])).split('\n').filter(Boolean)) {
    if (applet !== 'busybox' && !existsSync(join(root, 'bin', applet))) symlinkSync('busybox', join(root, 'bin', applet));
  }
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
}

/** The node binary and the shared libraries it is linked to, as `ldd` lists them. */
async function nodeFiles(): Promise<string[]> {
  const node = realpathSync(process.execPath);
  const libraries = [...(await capture('ldd', [node])).matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]);
  return [node, ...new Set(libraries)];
}

export async function ensureBusyboxBase(): Promise<BuiltImage> {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install a static busybox (Debian: busybox-static)`);
  const inputs = sha256('busybox-base/1', readFileSync(BUSYBOX));
  return ensure(BUSYBOX_BASE, inputs, async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubelab-rootfs-'));
    try {
      await busyboxRootfs(root);
      await importRootfs(root, BUSYBOX_BASE, ['ENV PATH=/bin', 'CMD ["/bin/sh"]', `LABEL ${INPUTS_LABEL}=${inputs}`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

export async function ensureNodeBase(): Promise<BuiltImage> {
  const files = await nodeFiles();
  // Path, size and time of each file: hashing 100 MB of node on every run would cost more than it saves.
  const inputs = sha256('node-base/1', readFileSync(BUSYBOX), ...files.map((f) => { const s = statSync(f); return `${f}:${s.size}:${s.mtimeMs}`; }));
  return ensure(NODE_BASE, inputs, async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubelab-rootfs-'));
    try {
      await busyboxRootfs(root);
      const [node, ...libraries] = files;
      mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
      // Stripped, the binary is 86 MB instead of over 100; a plain copy when strip is missing.
      await capture('strip', ['-o', join(root, 'usr', 'bin', 'node'), node]).catch(() => copyFileSync(node, join(root, 'usr', 'bin', 'node')));
      chmodSync(join(root, 'usr', 'bin', 'node'), 0o755);
      for (const library of libraries) {
        mkdirSync(join(root, dirname(library)), { recursive: true });
        copyFileSync(realpathSync(library), join(root, library));
      }
      await importRootfs(root, NODE_BASE, ['ENV PATH=/usr/bin:/bin', 'CMD ["node"]', `LABEL ${INPUTS_LABEL}=${inputs}`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

/** Patterns of a .dockerignore, simplified: a name or path prefix per line, `*.ext`, comments. */
function ignoreRules(context: string): (path: string) => boolean {
  const file = join(context, '.dockerignore');
  const rules = existsSync(file)
    ? readFileSync(file, 'utf8').split('\n').map((l) => l.trim().replace(/^\/+|\/+$/g, '')).filter((l) => l && !l.startsWith('#'))
    : [];
  return (path) => rules.some((rule) => rule.startsWith('*.') ? path.endsWith(rule.slice(1))
    : rule.startsWith('**/') ? path.split('/').includes(rule.slice(3)) : path === rule || path.startsWith(`${rule}/`));
}

/** What a build context holds, as path:size:mtime lines (what `docker build` would send, near enough). */
function contextListing(context: string): string {
  const ignored = ignoreRules(context);
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(context, full);
      if (ignored(path)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const s = statSync(full);
        lines.push(`${path}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(context);
  return lines.sort().join('\n');
}

/** `docker build` with the inputs label; --pull=false: the base images exist here, and no registry does. */
async function build(name: string, context: string, dockerfile: string, inputs: string, buildArgs: Record<string, string> = {}): Promise<void> {
  await dockerOk([
    'build', '--pull=false', '-q', '-t', name, '-f', dockerfile, '--label', `${INPUTS_LABEL}=${inputs}`,
    ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), context,
  ]);
  // The image this one replaced is left without a name: remove it (and only images made here) so rebuilds do not pile up.
  await docker(['image', 'prune', '-f', '--filter', `label=${INPUTS_LABEL}`]);
}

/** The lab images (conformance/images/<name>/Dockerfile), one per tag of its image.json. */
export async function ensureLabImages(): Promise<BuiltImage[]> {
  const nodeInputs = await inputsOf(NODE_BASE);
  const built: BuiltImage[] = [];
  for (const folder of readdirSync(IMAGES_DIR)) {
    const dir = join(IMAGES_DIR, folder);
    if (!existsSync(join(dir, 'Dockerfile')) || !existsSync(join(dir, 'image.json'))) continue;
    const image = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8')) as { name: string; tags: string[] };
    for (const tag of image.tags) {
      const inputs = sha256('lab', nodeInputs, tag, contextListing(dir));
      built.push(await ensure(`${image.name}:${tag}`, inputs, () => build(`${image.name}:${tag}`, dir, join(dir, 'Dockerfile'), inputs, { TAG: tag })));
    }
  }
  return built;
}

/** An implementation's image, from its kubelab.yaml `container:` section; an image with no build is used as it is. */
export async function ensureImplementationImage(implDir: string, spec: ContainerSpec): Promise<BuiltImage> {
  if (!spec.dockerfile) {
    const started = Date.now();
    if ((await docker(['image', 'inspect', spec.image])).status !== 0) {
      throw new Error(`image ${spec.image} (kubelab.yaml, container.image) is not on this machine, and nothing is pulled: build it, or give container.dockerfile`);
    }
    return { name: spec.image, built: false, ms: Date.now() - started };
  }
  const context = resolve(implDir, spec.context ?? '.');
  const dockerfile = resolve(implDir, spec.dockerfile);
  if (!existsSync(dockerfile)) throw new Error(`${dockerfile} (kubelab.yaml, container.dockerfile) does not exist`);
  const inputs = sha256('impl', await inputsOf(NODE_BASE), readFileSync(dockerfile), contextListing(context));
  return ensure(spec.image, inputs, () => build(spec.image, context, dockerfile, inputs));
}

/** Every image a container-driver run of this implementation uses, bases first. */
export async function ensureImages(implDir: string, spec: ContainerSpec): Promise<BuiltImage[]> {
  return [await ensureBusyboxBase(), await ensureNodeBase(), ...await ensureLabImages(), await ensureImplementationImage(implDir, spec)];
}
