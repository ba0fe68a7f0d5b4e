// Settings of the whole run that `kubelab conformance` hands to the checks
// through the environment (vitest's workers inherit it): how many times each
// check runs (--repeat) and the seed of any randomised input (--seed).

/** How many times each check runs: `kubelab conformance --repeat N` (default 1). */
export function repeatCount(): number {
  const n = Number(process.env.KUBELAB_REPEAT ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** The run's seed: `kubelab conformance --seed N`, printed with every run so that it can be replayed. */
export function runSeed(): number {
  const n = Number(process.env.KUBELAB_SEED ?? 0);
  return Number.isInteger(n) ? n : 0;
}

/**
 * A random number generator for a check's input (sizes, orders, values), in [0, 1).
 * It is seeded from the run's seed and the check's id, so the same seed gives each
 * check the same input again, whatever else was selected and in whatever order.
 * (Names that must be unique, such as namespaces, stay truly random: a replay
 * against a cluster that still holds the last run's objects must not collide.)
 * The generator is mulberry32, small and good enough for test input.
 */
export function seededRandom(checkId: string, seed = runSeed()): () => number {
  let state = seed >>> 0;
  for (const char of checkId) state = Math.imul(state ^ char.charCodeAt(0), 0x9e3779b1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * KUBELAB_WAIT_SCALE (default 1) multiplies every wait of a check: the
 * timeouts of `t.eventually` and of a watch's `waitFor`, and the check's own
 * `timeoutMs`. It exists for the suite's own self-test only (the grade of an
 * implementation that accepts every request and does nothing, which must earn
 * nothing beyond the API basics): against an implementation that never acts,
 * a wait for something to happen fails however long it is, and a check cut
 * short by its timeout fails, so shortening every wait cannot turn a failure
 * into a pass there. It can turn passes into failures anywhere: never grade
 * with it.
 */
export function waitScale(): number {
  const n = Number(process.env.KUBELAB_WAIT_SCALE ?? 1);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/** A wait of ms milliseconds, scaled by KUBELAB_WAIT_SCALE (at least 1 ms). */
export function scaledWait(ms: number): number {
  return Math.max(1, Math.round(ms * waitScale()));
}
