// JSON patch (RFC 6902): `Content-Type: application/json-patch+json`.
//
// A list of operations (add, remove, replace, move, copy, test) applied in
// order to JSON pointers like `/spec/template`. kubectl sends it for
// `rollout undo`. If any operation fails, nothing is applied.
//
// The operations themselves come from the fast-json-patch library. What this
// file adds is the error messages: Kubernetes uses github.com/evanphx/json-patch
// and answers 422 with its text (k8s.io/apiserver/pkg/endpoints/handlers/patch.go,
// jsonPatcher.applyJSPatch), e.g. a replace of a missing field gives
// `replace operation does not apply: doc is missing key: /spec/foo: missing value`.

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

/**
 * A patch that cannot be applied. `code` is the HTTP status Kubernetes uses:
 * 400 when the patch body itself is malformed, 422 when it is well formed but
 * does not apply to the object.
 */
export class PatchError extends Error {
  constructor(message: string, readonly code: 400 | 422 = 422) {
    super(message);
    this.name = 'PatchError';
  }
}

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a JSON pointer resolves in the document (the empty pointer is the document itself). */
function pointerExists(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let current: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(step) || Number(step) >= current.length) return false;
      current = current[Number(step)];
    } else if (isObject(current)) {
      if (!Object.prototype.hasOwnProperty.call(current, step)) return false;
      current = current[step];
    } else {
      return false;
    }
  }
  return true;
}

function parentOf(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/** Checks the shape of one operation before running it (evanphx/json-patch's own checks, with its wording). */
function checkOperation(op: unknown, index: number): asserts op is Record<string, any> {
  if (!isObject(op)) throw new PatchError(`operation ${index} is not a JSON object`, 400);
  if (!OPS.includes(op.op as string)) throw new PatchError(`Unexpected kind: ${String(op.op)}: unknown object type`);
  if (typeof op.path !== 'string') throw new PatchError(`operation missing path field: missing value`);
  if (op.path !== '' && !op.path.startsWith('/')) {
    throw new PatchError(`${op.op} operation does not apply: invalid JSON pointer ${JSON.stringify(op.path)}: it must start with "/"`);
  }
  if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
    throw new PatchError(`${op.op} operation missing from field: missing value`);
  }
  if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
    throw new PatchError(`${op.op} operation missing value field: missing value`);
  }
}

/** Turns a fast-json-patch failure into the message evanphx/json-patch would give for the same operation. */
function describeFailure(errorName: string, op: Record<string, any>, doc: unknown): string {
  const path: string = op.path;
  switch (errorName) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `add operation does not apply: doc is missing path: "${path}": missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op.op} operation does not apply: doc is missing from path: ${op.from}: missing value`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${op.op} operation does not apply: unable to access invalid index in ${path}: invalid index referenced`;
    case 'OPERATION_PATH_UNRESOLVABLE': {
      const parentMissing = !pointerExists(doc, parentOf(path));
      if (op.op === 'test') return `test operation does not apply: is missing path: ${path}: missing value`;
      if (op.op === 'remove') {
        if (parentMissing) return `remove operation does not apply: doc is missing path: "${path}": missing value`;
        const key = path.slice(path.lastIndexOf('/') + 1);
        return `error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`;
      }
      const what = parentMissing ? 'path' : 'key';
      return `${op.op} operation does not apply: doc is missing ${what}: ${path}: missing value`;
    }
    default:
      return `${op.op} operation does not apply at ${path}: ${errorName}`;
  }
}

/**
 * Applies a JSON patch to a deep copy of `original` and returns the copy.
 * @throws PatchError (400 when the body is not a list of operations, 422 when an operation fails)
 */
export function applyJsonPatch(original: unknown, operations: unknown): any {
  if (!Array.isArray(operations)) {
    // The message json.Unmarshal gives Kubernetes for a body that is not a list.
    throw new PatchError(`json: cannot unmarshal ${isObject(operations) ? 'object' : typeof operations} into Go value of type jsonpatch.Patch`, 400);
  }
  let doc: unknown = structuredClone(original);
  operations.forEach((op, index) => {
    checkOperation(op, index);
    try {
      // validate = true: fast-json-patch refuses paths that do not exist instead of creating them.
      doc = jsonpatch.applyOperation(doc, op as Operation, true, true).newDocument;
    } catch (err) {
      if (err instanceof jsonpatch.JsonPatchError) throw new PatchError(describeFailure(err.name, op, doc));
      throw err;
    }
  });
  return doc;
}
