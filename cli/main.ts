// The kubelab command line (DESIGN.md, "CLI").

import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { up, stopOnSignal } from './up.ts';
import { conformance } from './conformance.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

const program = new Command()
  .name('kubelab')
  .description('Learn how Kubernetes works from the inside: run the reference orchestrator, grade an implementation.')
  .showHelpAfterError();

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
  .addOption(new Option('--reporter <name>', 'output format').choices(['pretty', 'json', 'junit']).default('pretty'))
  .option('--out <file>', 'write the report to a file (json, junit)')
  .option('--nodes <n>', 'node processes to start (default: 3, or 0 without a node command)', positiveInt('--nodes'))
  .addOption(new Option('--profile <profile>', 'timing profile').choices(['fast', 'real']).default('fast'))
  .action(async (opts) => {
    if (opts.impl && opts.kubeconfig) throw new Error('give either --impl or --kubeconfig, not both');
    process.exitCode = await conformance(opts);
  });

program.parseAsync().catch((err) => {
  console.error(`kubelab: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
