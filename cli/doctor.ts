// `kubelab doctor`: is this machine ready to run and grade an implementation?
// One line per item, ✓ or ✗ and what to do about it; exit 1 when something
// required is missing. Optional items (kubectl, etcd) only warn.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readContract } from '../conformance/harness/contract.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const IMAGES_DIR = join(REPO_ROOT, 'conformance', 'images');

export interface Finding {
  item: string;
  /** ok; warn: optional and missing; fail: required and missing. */
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

export interface DoctorOptions {
  impl: string;
  dataDir: string;
  json?: boolean;
}

const ok = (item: string, detail: string): Finding => ({ item, status: 'ok', detail });
const bad = (item: string, detail: string, fix: string, required = true): Finding => ({ item, status: required ? 'fail' : 'warn', detail, fix });

/** "20.19.1" ≥ "20.19": compares dotted versions number by number. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const want = minimum.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i];
  }
  return true;
}

function checkNode(): Finding {
  const engines: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).engines?.node ?? '>=20.19';
  const minimum = engines.replace(/^>=\s*/, '');
  return versionAtLeast(process.versions.node, minimum)
    ? ok('Node.js', `${process.versions.node} (needs ${engines})`)
    : bad('Node.js', `${process.versions.node}, but kubelab needs ${engines}`, `install Node.js ${minimum} or newer (e.g. with nvm: nvm install 20)`);
}

/** Runs a program briefly; undefined when it is not there or fails. */
function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout : undefined;
}

function checkKubectl(): Finding {
  const out = run('kubectl', ['version', '--client', '-o', 'json']);
  if (out === undefined) return bad('kubectl', 'not found on PATH', 'install kubectl to talk to your cluster (https://kubernetes.io/docs/tasks/tools/); the suite itself does not need it', false);
  let version = 'unknown version';
  try { version = JSON.parse(out).clientVersion?.gitVersion ?? version; } catch { /* an old kubectl without -o json */ }
  return ok('kubectl', `client ${version}`);
}

/** The container driver needs a Docker engine that answers; the process driver does not. */
function checkDocker(): Finding {
  if (run('docker', ['--version']) === undefined) return bad('docker', 'not found on PATH (only needed for --driver container)', 'install Docker (Debian: apt-get install docker.io), or use the process driver', false);
  const version = run('docker', ['info', '--format', '{{.ServerVersion}}'])?.trim();
  return version
    ? ok('docker', `engine ${version} answers (--driver container can run)`)
    : bad('docker', 'the docker command is there, but the engine does not answer (docker info failed)', 'start it (sudo dockerd, or systemctl start docker) and check that you may use its socket', false);
}

function checkEtcd(): Finding {
  const out = run('etcd', ['--version']);
  if (out === undefined) return bad('etcd', 'not found on PATH (only needed for --store etcd://…)', 'apt-get install etcd-server, or use the default sqlite store', false);
  return ok('etcd', out.split('\n')[0].trim());
}

/** Binds host:port (0: any free port) and lets it go; resolves with the port, or rejects with why not. */
function bind(host: string, port = 0): Promise<number> {
  return new Promise((resolveBind, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolveBind(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The harness puts nodes, pods and Services on addresses all over 127.0.0.0/8: a few random ones must bind. */
async function checkLoopback(): Promise<Finding[]> {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  const hosts = ['127.0.0.1', ...Array.from({ length: 3 }, () => `127.${octet()}.${octet()}.1`)];
  const bound: string[] = [];
  for (const host of hosts) {
    try {
      bound.push(`${host}:${await bind(host)}`);
    } catch (err) {
      return [bad('loopback addresses', `cannot bind ${host}: ${(err as Error).message}`,
        'the harness needs all of 127.0.0.0/8 (Linux has it; on macOS add aliases: sudo ifconfig lo0 alias 127.x.y.z up)')];
    }
  }
  const findings = [ok('loopback addresses', `bound ${bound.join(', ')}`)];
  // `kubelab up` listens on 6443 unless told otherwise; the suite picks free ports itself.
  try {
    await bind('127.0.0.1', 6443);
    findings.push(ok('port 6443', 'free for kubelab up'));
  } catch (err) {
    findings.push(bad('port 6443', `in use (${(err as Error).message})`, 'stop what holds it, or run kubelab up --port <another>', false));
  }
  return findings;
}

/** Where a command's first word is: a path (relative to the implementation), or a program on PATH. */
export function findProgram(word: string, dir: string): string | undefined {
  if (isAbsolute(word) || word.includes('/')) {
    const file = resolve(dir, word);
    return existsSync(file) ? file : undefined;
  }
  if (existsSync(join(dir, word))) return join(dir, word);
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(entry || '.', word);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch { /* not here */ }
  }
  return undefined;
}

/** A script argument, e.g. dist/apiserver.js: a file to run that must exist (a forgotten build step). */
const SCRIPT = /\.(m?js|cjs|ts|mts|py)$/;

function checkImplementation(implDir: string): Finding[] {
  let contract;
  try {
    contract = readContract(implDir);
  } catch (err) {
    return [bad('kubelab.yaml', (err as Error).message, 'fix the file: see the README, "Grading your own implementation"')];
  }
  const findings = [ok('kubelab.yaml', `${contract.name} in ${contract.dir}`)];
  const specs = { controlPlane: contract.controlPlane, ...contract.components, ...(contract.node ? { node: contract.node } : {}) };
  for (const [name, spec] of Object.entries(specs)) {
    const [program, ...args] = spec.command;
    const found = findProgram(program, contract.dir);
    const missing = args.filter((a) => SCRIPT.test(a) && !a.startsWith('-') && !existsSync(resolve(contract.dir, a)));
    if (!found) findings.push(bad(`${name} command`, `${program} is neither on PATH nor a file in ${contract.dir}`, `install ${program}, or fix the command in kubelab.yaml`));
    else if (missing.length) findings.push(bad(`${name} command`, `${missing.join(', ')} not found in ${contract.dir}`, 'build your implementation first, or fix the path in kubelab.yaml'));
    else findings.push(ok(`${name} command`, spec.command.join(' ')));
  }
  return findings;
}

function checkImages(): Finding {
  const images = existsSync(IMAGES_DIR)
    ? readdirSync(IMAGES_DIR).filter((name) => existsSync(join(IMAGES_DIR, name, 'image.json')))
    : [];
  return images.length
    ? ok('lab images', images.join(', '))
    : bad('lab images', `no image.json under ${IMAGES_DIR}`, 'the catalogue ships with kubelab: restore conformance/images from the repository');
}

/** A folder is usable when a file can be made in it (or in the nearest existing parent, for one that does not exist yet). */
function checkWritable(item: string, dir: string): Finding {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    rmSync(mkdtempSync(join(existing, '.kubelab-doctor-')), { recursive: true, force: true });
    return ok(item, `${resolve(dir)} ${existing === resolve(dir) ? 'is writable' : 'can be created'}`);
  } catch (err) {
    return bad(item, `cannot write in ${existing}: ${(err as Error).message}`, `choose another folder${item === 'data dir' ? ' with --data-dir' : ' with TMPDIR'}`);
  }
}

export async function diagnose(options: DoctorOptions): Promise<Finding[]> {
  return [
    checkNode(),
    checkKubectl(),
    ...await checkLoopback(),
    ...checkImplementation(options.impl),
    checkImages(),
    checkEtcd(),
    checkDocker(),
    checkWritable('data dir', options.dataDir),
    checkWritable('temp dir', tmpdir()),
  ];
}

/** Prints the findings; resolves with the exit code: 1 when something required is missing. */
export async function doctor(options: DoctorOptions): Promise<number> {
  const findings = await diagnose(options);
  const failed = findings.some((f) => f.status === 'fail');
  if (options.json) {
    console.log(JSON.stringify({ ok: !failed, findings }, null, 2));
    return failed ? 1 : 0;
  }
  const colour = process.stdout.isTTY && !process.env.NO_COLOR;
  const paint = (code: number, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const mark = { ok: paint(32, '✓'), warn: paint(33, '!'), fail: paint(31, '✗') };
  for (const f of findings) {
    console.log(`${mark[f.status]} ${f.item}: ${f.detail}${f.fix ? ` — ${f.fix}` : ''}`);
  }
  console.log(failed ? 'kubelab doctor: fix the ✗ items above.' : 'kubelab doctor: ready.');
  return failed ? 1 : 0;
}
