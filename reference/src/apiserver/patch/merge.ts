// JSON merge patch (RFC 7386): `Content-Type: application/merge-patch+json`.
//
// kubectl sends it for `scale` (on /scale) and for `label` / `annotate`. The
// rules fit in a sentence: objects merge key by key, `null` deletes a key, and
// anything else (a string, a number, a list) replaces what was there. Lists are
// never merged, which is why kubectl prefers strategic merge patch for specs.
// Kubernetes uses github.com/evanphx/json-patch MergePatch for this
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go, jsonPatcher).

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a merge patch and returns the result. Neither argument is modified.
 * A patch that is not an object replaces the whole target.
 */
export function jsonMergePatch(target: unknown, patch: unknown): any {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = jsonMergePatch(result[key], value);
    }
  }
  return result;
}
