import { defineConfig } from 'vitest/config';

// Two projects run under one `npm test`, at the same time:
// - unit: the project's own tests (store contract, API server, kubectl, client-node,
//   the harness, the grader); two files at a time, in child processes (forks);
// - conformance: the black-box checks, run against the reference through the
//   same harness that grades students (conformance/harness/vitest-setup.ts). They
//   share one cluster, so their files run one at a time, in a worker thread of
//   their own pool (threads): vitest sizes each pool, not each project.
// Most tests wait on processes rather than compute, so on two cores the two
// projects and two unit files side by side take about half the time of one file at a time.
export default defineConfig({
  test: {
    poolOptions: {
      forks: { minForks: 1, maxForks: 2 },
      threads: { minThreads: 1, maxThreads: 1 },
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
          // worker instead of once per file saves seconds on every run.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
