// kubelab/web (tags 1 and 2): the catalogue's web server.
//
// It answers with the pod, node and image version that served the request,
// and its behaviour is chosen with env variables (or the same switches as
// args), so that one image serves many checks and labs: become ready late,
// fail liveness, crash, finish like a job, write files into volumes, ignore
// SIGTERM, use memory on purpose. Plain Node.js with no dependencies, so that any node agent can run
// it. Its interface is described in README.md next to this file.

import { createServer } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { readMounts, realPath } from './mounts.mjs';

const startedAt = new Date();
const env = process.env;

// Every switch can be given as an env variable or as an arg: --ready-after=5
// is READY_AFTER_SECONDS=5. An arg wins over the env variable.
const ARGS = {
  '--port': 'PORT',
  '--ready-after': 'READY_AFTER_SECONDS',
  '--crash-after': 'CRASH_AFTER_SECONDS',
  '--crash-exit-code': 'CRASH_EXIT_CODE',
  '--exit-after': 'EXIT_AFTER_SECONDS',
  '--fail-healthz-after': 'FAIL_HEALTHZ_AFTER_SECONDS',
  '--start-delay': 'START_DELAY_SECONDS',
  '--log-every': 'LOG_EVERY_SECONDS',
  '--write-file': 'WRITE_FILE',
  '--write-content': 'WRITE_CONTENT',
  '--ignore-sigterm': 'IGNORE_SIGTERM',
  '--allocate-mb': 'ALLOCATE_MB',
  '--allocate-after': 'ALLOCATE_AFTER_SECONDS',
};
const settings = readSettings(process.argv.slice(2));

const tag = env.KUBELAB_IMAGE_TAG || 'unknown';
const image = `kubelab/web:${tag}`;
const podName = env.POD_NAME || env.HOSTNAME || hostname();
const podIP = env.KUBELAB_POD_IP || env.POD_IP || null;
const listenAddress = env.KUBELAB_POD_IP || env.LISTEN_ADDRESS || '127.0.0.1';
const port = whole('PORT') ?? 8080;
const readyAfter = number('READY_AFTER_SECONDS') ?? 0;
const crashAfter = number('CRASH_AFTER_SECONDS');
const crashExitCode = whole('CRASH_EXIT_CODE') ?? 1;
const exitAfter = number('EXIT_AFTER_SECONDS');
const failHealthzAfter = number('FAIL_HEALTHZ_AFTER_SECONDS');
const startDelay = number('START_DELAY_SECONDS') ?? 0;
const logEvery = number('LOG_EVERY_SECONDS');
const ignoreSigterm = ['1', 'true'].includes(settings.IGNORE_SIGTERM);
const allocateMb = whole('ALLOCATE_MB');
const allocateAfter = number('ALLOCATE_AFTER_SECONDS') ?? 0;

let mounts;
try {
  mounts = readMounts();
} catch (error) {
  stop(2, `cannot read KUBELAB_MOUNTS: ${error.message}`);
}

// The probes' state. POST /fail/... and /recover/... flip these.
let healthzFailing = false;
let readyFailing = false;

// The memory held on purpose (POST /memory, ALLOCATE_MB): 1 MiB buffers.
const held = [];

if (settings.WRITE_FILE) {
  const content = settings.WRITE_CONTENT ?? `written by pod ${podName}\n`;
  try {
    writeContainerFile(settings.WRITE_FILE, content);
    console.log(`wrote ${Buffer.byteLength(content)} bytes to ${settings.WRITE_FILE}`);
  } catch (error) {
    stop(1, `cannot write WRITE_FILE=${settings.WRITE_FILE}: ${error.message}`);
  }
}

if (crashAfter !== null) {
  setTimeout(() => stop(crashExitCode, `crashing: CRASH_AFTER_SECONDS=${crashAfter} reached, exiting with code ${crashExitCode}`), crashAfter * 1000);
}
if (exitAfter !== null) {
  setTimeout(() => stop(0, `finished: EXIT_AFTER_SECONDS=${exitAfter} reached, exiting with code 0`), exitAfter * 1000);
}
if (failHealthzAfter !== null) {
  setTimeout(() => {
    healthzFailing = true;
    console.log(`FAIL_HEALTHZ_AFTER_SECONDS=${failHealthzAfter} reached: /healthz now answers 503`);
  }, failHealthzAfter * 1000);
}
if (allocateMb !== null) {
  setTimeout(() => {
    allocate(allocateMb);
    console.log(`allocated ${allocateMb} MiB (ALLOCATE_MB): holding ${held.length} MiB`);
  }, allocateAfter * 1000);
}
if (logEvery !== null) {
  let line = 0;
  setInterval(() => console.log(`log line ${++line} from pod ${podName}`), logEvery * 1000);
}

process.on('SIGTERM', () => {
  if (ignoreSigterm) {
    console.log('received SIGTERM, ignoring it (IGNORE_SIGTERM=1)');
  } else {
    stop(0, 'received SIGTERM, shutting down');
  }
});

const server = createServer(handle);
server.on('error', (error) => stop(1, `cannot listen on ${listenAddress}:${port}: ${error.message}`));
if (startDelay > 0) console.log(`waiting ${startDelay}s before listening (START_DELAY_SECONDS)`);
setTimeout(() => {
  server.listen(port, listenAddress, () => {
    console.log(`${image} listening on ${listenAddress}:${port} as pod ${podName}`);
  });
}, startDelay * 1000);

// ---- requests ----

async function handle(req, res) {
  res.on('finish', () => console.log(`${req.method} ${req.url} ${res.statusCode} from ${req.socket.remoteAddress}`));
  const path = new URL(req.url, 'http://web').pathname;
  const route = `${req.method} ${path}`;
  try {
    if (route === 'GET /') return info(req, res);
    if (route === 'GET /env') return send(res, 200, JSON.stringify(env, null, 2) + '\n', 'application/json');
    if (req.method === 'GET' && path.startsWith('/env/')) return envVariable(res, decodeURIComponent(path.slice('/env/'.length)));
    if (route === 'GET /healthz') return healthz(res);
    if (route === 'GET /ready') return ready(res);
    if (route === 'POST /fail/healthz') return flip(res, () => (healthzFailing = true), '/healthz now answers 503');
    if (route === 'POST /recover/healthz') return flip(res, () => (healthzFailing = false), '/healthz now answers 200');
    if (route === 'POST /fail/ready') return flip(res, () => (readyFailing = true), '/ready now answers 503');
    if (route === 'POST /recover/ready') return flip(res, () => (readyFailing = false), '/ready answers 200 again once the pod is ready');
    if (route === 'GET /memory') return memory(res);
    if (route === 'POST /memory') return allocateOnRequest(req, res);
    if (route === 'DELETE /memory') return release(res);
    if (req.method === 'GET' && path.startsWith('/files/')) return getFile(res, filePath(path));
    if (req.method === 'PUT' && path.startsWith('/files/')) return await putFile(req, res, filePath(path));
    return send(res, 404, `no route ${route}; see the image's README for its routes\n`);
  } catch (error) {
    return send(res, error.status ?? 500, `${error.message}\n`);
  }
}

function info(req, res) {
  const about = {
    pod: podName,
    namespace: env.POD_NAMESPACE || null,
    node: env.NODE_NAME || null,
    image,
    version: tag,
    ip: podIP,
    startedAt: startedAt.toISOString(),
  };
  if ((req.headers.accept ?? '').includes('text/plain')) {
    const line = Object.entries(about).map(([key, value]) => `${key}=${value ?? '-'}`).join(' ');
    return send(res, 200, line + '\n');
  }
  return send(res, 200, JSON.stringify(about) + '\n', 'application/json');
}

function envVariable(res, name) {
  if (env[name] === undefined) return send(res, 404, `${name} is not set\n`);
  return send(res, 200, env[name]);
}

function healthz(res) {
  if (healthzFailing) return send(res, 503, 'failing (POST /recover/healthz to undo)\n');
  return send(res, 200, 'ok\n');
}

function ready(res) {
  if (readyFailing) return send(res, 503, 'not ready: failing (POST /recover/ready to undo)\n');
  const left = readyAfter - (Date.now() - startedAt.getTime()) / 1000;
  if (left > 0) return send(res, 503, `not ready yet: READY_AFTER_SECONDS=${readyAfter}, ${left.toFixed(1)}s left\n`);
  return send(res, 200, 'ok\n');
}

function flip(res, change, message) {
  change();
  console.log(message);
  return send(res, 200, message + '\n');
}

// ---- memory, used on purpose (a container over its memory limit) ----

const MiB = 1024 * 1024;

// Each buffer is filled, so that its pages are really touched and count in
// the process's resident memory (a buffer of zeros may never be backed).
function allocate(mb) {
  for (let i = 0; i < mb; i++) held.push(Buffer.allocUnsafe(MiB).fill(i % 255 + 1));
}

function memory(res) {
  const about = { heldMiB: held.length, rssBytes: process.memoryUsage.rss() };
  return send(res, 200, JSON.stringify(about) + '\n', 'application/json');
}

function allocateOnRequest(req, res) {
  const text = new URL(req.url, 'http://web').searchParams.get('mb');
  const mb = Number(text);
  if (text === null || text === '' || !Number.isInteger(mb) || mb < 0) return send(res, 400, `mb must be a whole number of MiB ≥ 0, got "${text ?? ''}"\n`);
  allocate(mb);
  console.log(`allocated ${mb} MiB: holding ${held.length} MiB`);
  return memory(res);
}

function release(res) {
  held.length = 0;
  console.log('released the memory held on purpose');
  return memory(res);
}

// ---- files, through the container's volume mounts ----

// "/files/data/a.txt" → "/data/a.txt"
function filePath(urlPath) {
  return decodeURIComponent(urlPath.slice('/files'.length));
}

function getFile(res, containerPath) {
  const real = realPath(containerPath, mounts);
  let stats;
  try {
    stats = statSync(real);
  } catch (error) {
    if (error.code === 'ENOENT') return send(res, 404, `no such file: ${containerPath}\n`);
    throw error;
  }
  if (stats.isDirectory()) return send(res, 200, JSON.stringify(readdirSync(real).sort()) + '\n', 'application/json');
  return send(res, 200, readFileSync(real), 'application/octet-stream');
}

async function putFile(req, res, containerPath) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const existed = exists(realPath(containerPath, mounts));
  writeContainerFile(containerPath, body);
  return send(res, existed ? 200 : 201, `wrote ${body.length} bytes to ${containerPath}\n`);
}

function writeContainerFile(containerPath, content) {
  const real = realPath(containerPath, mounts);
  mkdirSync(dirname(real), { recursive: true });
  try {
    writeFileSync(real, content);
  } catch (error) {
    if (error.code === 'EISDIR') throw Object.assign(new Error(`${containerPath} is a directory`), { status: 400 });
    throw error;
  }
}

function exists(real) {
  try {
    statSync(real);
    return true;
  } catch {
    return false;
  }
}

// ---- small helpers ----

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function stop(code, message) {
  console.log(message);
  process.exit(code);
}

// The switches from env, then from args. A mistyped arg stops the program
// with exit code 2 and says why, rather than being silently ignored.
function readSettings(args) {
  const values = {};
  for (const name of Object.values(ARGS)) {
    if (env[name] !== undefined && env[name] !== '') values[name] = env[name];
  }
  for (const arg of args) {
    const [flag, ...rest] = arg.split('=');
    const name = ARGS[flag];
    if (name === undefined) stop(2, `unknown argument ${arg}; known: ${Object.keys(ARGS).join(' ')}`);
    if (rest.length === 0 && name !== 'IGNORE_SIGTERM') stop(2, `${flag} needs a value, like ${flag}=5`);
    values[name] = rest.length === 0 ? '1' : rest.join('=');
  }
  return values;
}

// A number switch, or null when it is not set. Seconds may have decimals.
function number(name) {
  if (settings[name] === undefined) return null;
  const value = Number(settings[name]);
  if (!Number.isFinite(value) || value < 0) stop(2, `${name} must be a number ≥ 0, got "${settings[name]}"`);
  return value;
}

// A whole-number switch (a port, an exit code), or null when it is not set.
function whole(name) {
  const value = number(name);
  if (value !== null && !Number.isInteger(value)) stop(2, `${name} must be a whole number, got "${settings[name]}"`);
  return value;
}
