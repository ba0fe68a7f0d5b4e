// kubelab/busybox (tag 1): a handful of commands for labs, given as args.
//
// Real busybox has a shell; this one has none. The container's args name a
// command and its arguments, and "&&" chains commands:
//   args: ["echo", "started", "&&", "sleep", "3600"]
// Commands: sleep, echo, exit, cat, ls, env. Paths go through KUBELAB_MOUNTS,
// as in every lab image. Its interface is described in README.md next to this file.

import { readFileSync, readdirSync } from 'node:fs';
import { readMounts, realPath } from './mounts.mjs';

const COMMANDS = { sleep, echo, exit, cat, ls, env };
const USAGE = `usage: COMMAND [ARG...] [&& COMMAND [ARG...]]...; commands: ${Object.keys(COMMANDS).join(', ')}`;

// A program killed by SIGTERM reports exit code 143 (128 + 15); this one says
// so and exits with that code. (In a real container PID 1 ignores signals it
// has no handler for, so the handler is also what makes it stop there.)
process.on('SIGTERM', () => {
  console.log('received SIGTERM, exiting');
  process.exit(143);
});

let mounts;
try {
  mounts = readMounts();
} catch (error) {
  fail(2, `cannot read KUBELAB_MOUNTS: ${error.message}`);
}

// ["echo", "a", "&&", "sleep", "1"] → [["echo", "a"], ["sleep", "1"]]
const steps = [[]];
for (const arg of process.argv.slice(2)) {
  if (arg === '&&') steps.push([]);
  else steps.at(-1).push(arg);
}

for (const [name, ...args] of steps) {
  if (name === undefined) fail(2, `nothing to run. ${USAGE}`);
  if (name === 'sh') fail(127, `there is no shell in kubelab/busybox: give the command as args, like ["echo", "hi", "&&", "sleep", "3600"]`);
  if (!Object.hasOwn(COMMANDS, name)) fail(127, `unknown command "${name}". ${USAGE}`);
  const code = await COMMANDS[name](args);
  if (code !== 0) process.exit(code); // like a shell's &&: stop at the first failure
}
process.exit(0);

// ---- the commands: each returns its exit code ----

// sleep SECONDS (decimals allowed) | sleep infinity
async function sleep([seconds]) {
  if (seconds === 'infinity') seconds = Infinity;
  else if (!(Number(seconds) >= 0)) fail(2, `sleep: give a number of seconds or "infinity", got "${seconds}"`);
  // Timers hold at most ~24 days, so a long sleep waits a day at a time.
  let left = Number(seconds) * 1000;
  while (left > 0) {
    const step = Math.min(left, 24 * 3600 * 1000);
    await new Promise((done) => setTimeout(done, step));
    left -= step;
  }
  return 0;
}

// echo WORD... prints the words separated by spaces
async function echo(words) {
  console.log(words.join(' '));
  return 0;
}

// exit CODE
async function exit([code = '0']) {
  const value = Number(code);
  if (!Number.isInteger(value) || value < 0 || value > 255) fail(2, `exit: give a code from 0 to 255, got "${code}"`);
  return value;
}

// cat PATH... prints files, found through the container's volume mounts
async function cat(paths) {
  for (const path of paths) {
    try {
      process.stdout.write(readFileSync(realPath(path, mounts)));
    } catch (error) {
      console.error(`cat: ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      return 1;
    }
  }
  return 0;
}

// ls PATH prints a folder's entries, one a line
async function ls([path]) {
  try {
    for (const entry of readdirSync(realPath(path ?? '/', mounts)).sort()) console.log(entry);
    return 0;
  } catch (error) {
    console.error(`ls: ${path}: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`);
    return 1;
  }
}

// env prints the environment, NAME=value, sorted by name
async function env() {
  for (const name of Object.keys(process.env).sort()) console.log(`${name}=${process.env[name]}`);
  return 0;
}

function fail(code, message) {
  console.error(`busybox: ${message}`);
  process.exit(code);
}
