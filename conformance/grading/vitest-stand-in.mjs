// A stand-in for the `vitest` module, used only while the check catalogue is
// read (catalogue-dump.ts). Check files call vitest's `test` when they are
// imported; outside a vitest run the real one throws. `check()` records each
// check's metadata before it calls `test`, so this stand-in only has to accept
// the call and do nothing: no check body ever runs.
//
// Plain JavaScript because Node loads it through a module hook (catalogue-hooks.mjs).

const nothing = () => {};
/** `test`, `test.concurrent`, `test.skip`, …: every form accepts its arguments and ignores them. */
export const test = new Proxy(nothing, { get: () => test });
export const it = test;
export const describe = test;
export const beforeAll = nothing;
export const afterAll = nothing;
export const beforeEach = nothing;
export const afterEach = nothing;
/**
 * A check file's top level may read what the harness provides (the cluster's
 * profile, to size a timeout). There is no cluster here: it gets an empty
 * object, which changes a timeout at most, never an id, a title or points.
 */
export function inject(_key) {
  return {};
}
