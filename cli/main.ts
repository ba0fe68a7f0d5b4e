// The kubelab command line (DESIGN.md, "CLI").

import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { up, stopOnSignal } from './up.ts';
import { actionsHelp, disrupt, DisruptError } from './disrupt.ts';

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
  .option('--simulated-nodes <n>', "also N simulated nodes (pods Running at once, no processes), from one process: the reference's node simulator, a client of any implementation's API server", positiveInt('--simulated-nodes'))
  .option('--data-dir <dir>', 'where certificates, the kubeconfig, state and logs live', '.kubelab')
  .option('--port <port>', 'API server port', positiveInt('--port'), 6443)
  .option('--host <address>', 'API server address (any 127.x.y.z)', '127.0.0.1')
  .option('--store <store>', 'sqlite (default), memory, or etcd://host:port')
  .addOption(new Option('--profile <profile>', 'timing profile').choices(['fast', 'real']).default('real'))
  .option('-v, --verbose', "print every process's output")
  .option('--site [port]', 'also build and serve the lesson site (default port: 4000)')
  .option('--view [port]', 'the port of the live view of the cluster (default: 4001)')
  .option('--no-view', 'do not serve the live view')
  .action(async (opts) => {
    // Ctrl-C is handled from the first moment: one pressed while the cluster, the
    // site or the view is still starting stops each of them once it has started,
    // so no process is left behind.
    const stops: Array<() => Promise<void>> = [];
    let starting: Promise<unknown> = Promise.resolve();
    stopOnSignal(async () => {
      await starting.catch(() => undefined);
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    });
    starting = (async () => {
      // The site builds while the cluster starts; a site that fails to build leaves the cluster running.
      const lessonSite = opts.site === undefined ? undefined : import('./site.ts').then(({ startSite, DEFAULT_SITE_PORT }) =>
        startSite({ port: opts.site === true ? DEFAULT_SITE_PORT : positiveInt('--site')(opts.site), host: '127.0.0.1' }));
      lessonSite?.catch((err) => console.error(`kubelab: the lesson site is not served: ${err instanceof Error ? err.message : err}`));
      const cluster = await up({ ...opts, impl: opts.impl });
      stops.push(() => cluster.stop());
      const server = await lessonSite?.catch(() => undefined);
      if (server) stops.push(() => server.close());
      // The live view (site/live/) beside the cluster; one that cannot start leaves the cluster running.
      const view = opts.view === false ? undefined : await import('./view.ts').then(({ startView, DEFAULT_VIEW_PORT }) =>
        startView({ kubeconfig: cluster.cluster.kubeconfig, port: opts.view === true || opts.view === undefined ? DEFAULT_VIEW_PORT : positiveInt('--view')(opts.view) }))
        .catch((err) => void console.error(`kubelab: the live view is not served: ${err instanceof Error ? err.message : err}`));
      if (view) stops.push(() => view.close());
    })();
    await starting;
  });

program.command('view')
  .description('serve the live view of a running cluster: nodes, pods, workloads, services and events, as they change')
  .option('--kubeconfig <file>', 'the cluster to show (default: $KUBECONFIG, else .kubelab/kubeconfig)')
  .option('--port <port>', 'port to listen on (127.0.0.1)', positiveInt('--port'), 4001)
  .action(async (opts) => {
    const { startView } = await import('./view.ts');
    const view = await startView({ kubeconfig: opts.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? '.kubelab/kubeconfig', port: opts.port });
    stopOnSignal(() => view.close());
  });

program.command('disrupt')
  .description('break a part of the cluster `kubelab up` runs (kill a node, stop the scheduler…), as the checks do')
  .argument('<action>', 'what to do (listed below)')
  .argument('[target]', 'the node, component or pod it acts on')
  .option('--data-dir <dir>', 'the data folder of the running `kubelab up` (default: $KUBELAB_DIR, else the nearest .kubelab)')
  .option('-n, --namespace <namespace>', 'the pod\'s namespace (kill-container)')
  .option('-c, --container <name>', 'the container to kill (kill-container)')
  .addHelpText('after', actionsHelp())
  .action(async (action: string, target: string | undefined, opts) => {
    try {
      console.log(`kubelab: ${await disrupt(action, target, opts)}`);
    } catch (err) {
      if (!(err instanceof DisruptError)) throw err;
      console.error(`kubelab disrupt: ${err.message}`);
      process.exitCode = 2;
    }
  });

program.command('conformance')
  .description('run the conformance checks against an implementation or a cluster')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml (default: the reference)')
  .option('--kubeconfig <file>', 'an existing cluster instead (no disruptions)')
  .addOption(new Option('--driver <driver>', 'how to start the implementation: process, container (its image, on Docker), or kind (Kubernetes itself, from a local kindest/node image)').choices(['process', 'container', 'kind']))
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
    if (opts.driver && opts.kubeconfig) throw new Error('--driver starts an implementation; --kubeconfig names a running cluster: give one of them');
    // Loaded when used, as starter and site are: vitest is heavy, and `kubelab disrupt` should start fast.
    const { conformance } = await import('./conformance.ts');
    process.exitCode = await conformance(opts);
  });

program.command('grade')
  .description('grade an implementation lab by lab: grade.json, junit.xml, summary.md and Gradescope results.json')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml (default: the reference)')
  .option('--kubeconfig <file>', 'an existing cluster instead (no disruptions: those checks are skipped and earn nothing)')
  .addOption(new Option('--driver <driver>', 'how to start the implementation: process, container (its image, on Docker), or kind (Kubernetes itself, from a local kindest/node image)').choices(['process', 'container', 'kind']))
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
      if (opts.driver && opts.kubeconfig) throw new Error('--driver starts an implementation; --kubeconfig names a running cluster: give one of them');
      const { grade } = await import('./grade.ts');
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
  .option('--keep <lab...>', "labs whose code stays in place, with the code of the labs they build on (e.g. to hand out a later lab)")
  .action(async (opts) => {
    const { starter } = await import('./starter.ts');
    process.exitCode = starter(opts);
  });

const site = program.command('site').description('the lesson site: build it into static files, or serve it');

site.command('build')
  .description('generate the lesson site (static files that also work opened from disk)')
  .option('--out <dir>', 'where the site goes (default: site/dist)')
  .action(async (opts) => {
    const { siteBuild } = await import('./site.ts');
    process.exitCode = await siteBuild(opts);
  });

site.command('serve')
  .description('build the lesson site and serve it; with a grade.json, each step shows its checks passed or failed')
  .option('--out <dir>', 'where the site is built (default: site/dist)')
  .option('--port <port>', 'port to listen on', positiveInt('--port'), 4000)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--grade <file>', 'a grade.json from kubelab grade (default: kubelab-grade/grade.json when it exists)')
  .option('--no-build', 'serve what --out holds without building it first')
  .action(async (opts) => {
    const { startSite } = await import('./site.ts');
    const server = await startSite(opts);
    stopOnSignal(() => server.close());
  });

program.command('images')
  .description("the container driver's images: build them on this machine, without a registry")
  .command('build')
  .description('build the base, lab and implementation images (only those whose inputs changed)')
  .option('--impl <dir>', 'implementation folder with a kubelab.yaml that has a container section (default: the reference)')
  .action(async (opts) => {
    const { buildImages } = await import('./images.ts');
    process.exitCode = await buildImages(opts);
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
