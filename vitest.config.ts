import { defineConfig } from 'vitest/config';
import FileOrder from './conformance/harness/file-order.ts';

// Two projects run under one `npm test`, at the same time:
// - unit: the project's own tests (store contract, API server, kubectl, client-node,
//   the harness, the grader); two files at a time, in child processes (forks);
// - conformance: the black-box checks, run against the reference through the
//   same harness that grades students (conformance/harness/vitest-setup.ts). Each
//   check holds a lease on a cluster while it runs (conformance/harness/cluster-pool.ts):
//   most share the main cluster, side by side, and those that need one to
//   themselves get an extra cluster. So their files run several at a time, in
//   worker threads of their own pool (threads: vitest sizes each pool, not each
//   project), with the checks of a file at the same time (maxConcurrency).
// Most tests wait on processes rather than compute, so on two cores the two
// projects and two unit files side by side take about half the time of one file at a time.
// Under `npm test` the conformance checks share two cores with the unit tests,
// which start clusters and conformance runs of their own (mutants, starter kit):
// one cluster and at most four checks on it at once keep every check well within
// its timeout there. `kubelab conformance` alone keeps its defaults (three
// clusters, eight checks: conformance/harness/pool-clusters.ts). Child processes
// inherit these, so the unit tests' own runs are limited the same way.
const NPM_TEST = process.env.npm_lifecycle_event === 'test';
if (NPM_TEST) {
  process.env.KUBELAB_CLUSTERS ??= '1';
  process.env.KUBELAB_SHARED_CHECKS ??= '4';
}
// Worker threads of the conformance project: a file holds its thread while its checks
// wait for a cluster, so `kubelab conformance` keeps enough threads for the files of
// shared checks beside those waiting for an extra cluster (file-order.ts). Each thread
// costs a few seconds of CPU to load; 8 did better than 6 and no worse than 10.
const CHECK_THREADS = NPM_TEST ? 3 : 8;

export default defineConfig({
  test: {
    // Long files first, and the checks that need a cluster to themselves (file-order.ts).
    sequence: { sequencer: FileOrder },
    poolOptions: {
      forks: { minForks: 1, maxForks: 2 },
      // Threads that live through the run and load each module once: the pool's
      // isolate (a project's own `isolate` does not reach the pool). The minimum is the
      // maximum: tinypool 1.1 stops a worker it finds idle above the minimum twice when
      // more than one is (its teardown reply marks it idle again), and the second stop
      // ends the run with an unhandled "Terminating worker thread".
      threads: { minThreads: CHECK_THREADS, maxThreads: CHECK_THREADS, isolate: false },
    },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['conformance/checks/**/*.check.ts'],
          globalSetup: ['conformance/harness/vitest-setup.ts'],
          pool: 'threads',
          // Check files share nothing but the clients' modules; loading those once per
          // worker instead of once per file saves seconds on every run (with the pool's isolate above).
          isolate: false,
          // Every thread loads client-node, nearly a thousand files: bundled into one
          // (vitest's dependency optimizer, cached in node_modules/.vite) it loads in
          // less than half the CPU (0.37 s against 0.93 s in Node). Not under npm test,
          // whose own runs of the suite start beside it and would write the same cache at once.
          deps: { optimizer: { ssr: { enabled: !NPM_TEST, include: ['@kubernetes/client-node'] } } },
          // Checks mostly wait (for controllers, containers, grace periods): many at once cost little.
          maxConcurrency: 8,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
