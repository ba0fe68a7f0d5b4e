// Suite benchmark: the whole conformance suite against the reference (fast
// profile), as `kubelab conformance` runs it, timed from the command's start to
// its exit (cluster start-up and shutdown included). The baseline, measured in
// the same run, is the sum of the checks' own durations from the JSON report:
// what running them one at a time would cost. Also printed: the checks passed,
// the CPU time of the run and everything it started (user + system, Linux), and
// the machine's load average before and after, since on a busy machine the
// same suite takes longer.
//
//   npx tsx scripts/bench/suite.ts [--clusters N] [--repeat N] [--lab LAB] [--json]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './support.ts';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string' },
    repeat: { type: 'string' },
    lab: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

interface Report {
  summary: { passed: number; failed: number; skipped: number };
  checks: { id: string; status: string; durationMs: number }[];
}

/** CPU seconds of the children this process has waited for (and theirs), from /proc; undefined elsewhere. */
function childrenCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of stat (cutime, cstime), counted from the state field (3): indexes 13 and 14 here.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

function run(command: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-suite-'));
  try {
    const out = join(dir, 'report.json');
    const command = ['node', join(ROOT, 'bin/kubelab.js'), 'conformance', '--profile', 'fast', '--reporter', 'json', '--out', out];
    if (args.repeat) command.push('--repeat', args.repeat);
    if (args.lab) command.push('--lab', args.lab);
    const env = { ...process.env, ...(args.clusters ? { KUBELAB_CLUSTERS: args.clusters } : {}) };
    const loadBefore = loadavg()[0];
    const cpuBefore = childrenCpuSeconds();
    const t0 = performance.now();
    const result = await run(command, env);
    const wallMs = performance.now() - t0;
    const cpuAfter = childrenCpuSeconds();
    const loadAfter = loadavg()[0];
    let report: Report;
    try {
      report = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      throw new Error(`the suite wrote no report (exit ${result.code}):\n${result.output.slice(-4000)}`);
    }
    const total = report.checks.length;
    const sumMs = report.checks.reduce((sum, c) => sum + c.durationMs, 0);
    const cpuSeconds = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
    const figures = {
      wallMs: Math.round(wallMs), passed: report.summary.passed, failed: report.summary.failed, skipped: report.summary.skipped, total,
      baselineSumOfChecksMs: sumMs, ratio: Math.round((sumMs / wallMs) * 100) / 100,
      cpuSeconds: cpuSeconds === undefined ? null : Math.round(cpuSeconds), clusters: args.clusters ? Number(args.clusters) : 'default',
      repeat: args.repeat ? Number(args.repeat) : 1, load1Before: Math.round(loadBefore * 100) / 100, load1After: Math.round(loadAfter * 100) / 100,
      failedChecks: report.checks.filter((c) => c.status === 'failed').map((c) => c.id),
    };
    if (args.json) {
      console.log(JSON.stringify(figures));
    } else {
      console.log(`conformance suite, reference, fast profile${args.lab ? `, lab ${args.lab}` : ''}${args.repeat ? `, each check ${args.repeat} times` : ''}`);
      console.log(`  wall time            ${(wallMs / 1000).toFixed(1)} s (cluster start and stop included)`);
      console.log(`  checks               ${figures.passed} passed, ${figures.failed} failed, ${figures.skipped} skipped of ${total}`);
      console.log(`  one at a time        ${(sumMs / 1000).toFixed(1)} s (sum of the checks' own durations): ${figures.ratio}× the wall time`);
      if (cpuSeconds !== undefined) console.log(`  CPU                  ${cpuSeconds.toFixed(0)} s (user + system, every process of the run)`);
      console.log(`  load average         ${figures.load1Before} before, ${figures.load1After} after`);
      if (figures.failedChecks.length) console.log(`  failed               ${figures.failedChecks.join(', ')}`);
    }
    process.exitCode = result.code === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
