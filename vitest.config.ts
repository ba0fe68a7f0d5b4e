import { defineConfig } from 'vitest/config';

// Two projects run under one `npm test`:
// - unit: the project's own tests (store contract, API server, kubectl, client-node);
// - conformance: the black-box checks, run against the reference through the
//   same harness that grades students (conformance/harness/vitest-setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['conformance/checks/**/*.check.ts'],
          globalSetup: ['conformance/harness/vitest-setup.ts'],
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
