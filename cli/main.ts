// The kubelab command line (DESIGN.md, "CLI").

import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { up, stopOnSignal } from './up.ts';
import { conformance } from './conformance.ts';
import { grade } from './grade.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

const program = new Command()
  .name('kubelab')
  .description('Learn how Kubernetes works from the inside: run the reference orchestrator, grade an implementation.')
  .showHelpAfterError();

function atLeastOne(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, not "${value}"`);
    return n;
  };
}

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, not "${value}"`);
    return n;
  };
}

program.command('up')
  .description('start a cluster (the reference, or --impl DIR) and keep it running until Ctrl-C')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml', REPO_ROOT)
  .option('--nodes <n>', 'number of node processes (default: 3, or 0 without a node command)', positiveInt('--nodes'))
  .option('--data-dir <dir>', 'where certificates, the kubeconfig, state and logs live', '.kubelab')
  .option('--port <port>', 'API server port', positiveInt('--port'), 6443)
  .option('--host <address>', 'API server address (any 127.x.y.z)', '127.0.0.1')
  .option('--store <store>', 'sqlite (default), memory, or etcd://host:port')
  .addOption(new Option('--profile <profile>', 'timing profile').choices(['fast', 'real']).default('real'))
  .option('-v, --verbose', "print every process's output")
  .action(async (opts) => {
    const cluster = await up({ ...opts, impl: opts.impl });
    stopOnSignal(() => cluster.stop());
  });

program.command('conformance')
  .description('run the conformance checks against an implementation or a cluster')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml (default: the reference)')
  .option('--kubeconfig <file>', 'an existing cluster instead (no disruptions)')
  .option('--lab <name>', 'only the checks of one lab (e.g. api)')
  .option('--check <id...>', 'only these checks')
  .option('--grep <pattern>', 'only the checks whose id or title matches this regular expression (any case)')
  .option('--rerun-failed', 'only the checks that failed in the last run here (.kubelab/last-run.json)')
  .option('--repeat <n>', 'run each check n times and report how many passed (flaky or broken?)', atLeastOne('--repeat'))
  .option('--seed <n>', 'seed of randomised input (every run prints its seed: replay with it)', positiveInt('--seed'))
  .addOption(new Option('--reporter <name>', 'output format').choices(['pretty', 'json', 'junit']).default('pretty'))
  .option('--out <file>', 'write the report to a file (json, junit)')
  .option('--nodes <n>', 'node processes to start (default: 3, or 0 without a node command)', positiveInt('--nodes'))
  .addOption(new Option('--profile <profile>', 'timing profile').choices(['fast', 'real']).default('fast'))
  .action(async (opts) => {
    if (opts.impl && opts.kubeconfig) throw new Error('give either --impl or --kubeconfig, not both');
    process.exitCode = await conformance(opts);
  });

program.command('grade')
  .description('grade an implementation lab by lab: grade.json, junit.xml, summary.md and Gradescope results.json')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml (default: the reference)')
  .option('--kubeconfig <file>', 'an existing cluster instead (no disruptions: those checks are skipped and earn nothing)')
  .option('--lab <name>', 'only one lab (e.g. pods or 01-pods)')
  .option('--grep <pattern>', "only the checks whose id or title matches (the others are listed as not run and earn nothing)")
  .option('--rerun-failed', 'only the checks that failed in the last run here (the others are listed as not run)')
  .option('--seed <n>', 'seed of randomised input', positiveInt('--seed'))
  .option('--out <dir>', 'where the reports go', 'kubelab-grade')
  .option('--min-score <n>', 'exit 1 below this score: points (120) or a percentage (80%)')
  .option('--nodes <n>', 'node processes to start (default: 3, or 0 without a node command)', positiveInt('--nodes'))
  .addOption(new Option('--profile <profile>', 'timing profile').choices(['fast', 'real']).default('fast'))
  .action(async (opts) => {
    try {
      if (opts.impl && opts.kubeconfig) throw new Error('give either --impl or --kubeconfig, not both');
      process.exitCode = await grade(opts);
    } catch (err) {
      // 2, not 1: grading could not run, which a CI job must not mistake for a low score.
      console.error(`kubelab grade: could not grade: ${err instanceof Error ? err.message : err}`);
      process.exitCode = 2;
    }
  });

program.command('starter')
  .description("write a starter implementation: the reference with each lab's code replaced by a TODO that fails loudly")
  .requiredOption('--out <dir>', 'a new (or empty) folder for the starter')
  .option('--keep <lab...>', "labs whose code stays in place (e.g. to hand out a later lab)")
  .action(async (opts) => {
    const { starter } = await import('./starter.ts');
    process.exitCode = starter(opts);
  });

program.command('doctor')
  .description('check this machine (Node, kubectl, loopback addresses, the kubelab.yaml) and say what to fix')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml', REPO_ROOT)
  .option('--data-dir <dir>', 'the data folder kubelab up would use', '.kubelab')
  .option('--json', 'print the findings as JSON')
  .action(async (opts) => {
    const { doctor } = await import('./doctor.ts');
    process.exitCode = await doctor(opts);
  });

program.parseAsync().catch((err) => {
  console.error(`kubelab: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
