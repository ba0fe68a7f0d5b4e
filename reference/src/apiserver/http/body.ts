// Reading a request body: at most 3 MiB, decoded by its Content-Type.
//
// kubectl sends JSON for most writes, YAML never, but protobuf for its typed
// clients since 1.32 (`kubectl create namespace`), so all three are accepted.

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType } from '../errors.ts';
import { decodeProtobufObject } from '../protobuf/decode.ts';

/** kube-apiserver's MaxRequestBodyBytes (k8s.io/apiserver/pkg/server/config.go). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume(); // drain, so the connection can answer
    throw tooLarge(MAX_BODY_BYTES);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw tooLarge(MAX_BODY_BYTES);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased: "application/json". */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Kubernetes' JSON decoder refuses documents nested deeper than 10,000 levels
 * ("exceeded max depth": maxNestingDepth in sigs.k8s.io/json's copy of encoding/json,
 * and k8s.io/apimachinery/pkg/util/json). Here the limit also keeps the server's
 * recursive steps (validation, defaulting, cloning) from running out of stack.
 */
export const MAX_NESTING_DEPTH = 10_000;

/** How deep objects and arrays nest in a parsed value, counted without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function notTooDeep(value: unknown, what: string): unknown {
  if (nestingDepth(value) > MAX_NESTING_DEPTH) throw badRequest(`${what}: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  return value;
}

export function parseJson(body: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  return notTooDeep(value, "couldn't get version/kind; json parse error");
}

function parseYamlBody(body: Buffer): unknown {
  let value: unknown;
  try {
    value = parseYaml(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
  return notTooDeep(value, 'error converting YAML to JSON');
}

/** Decodes a create/update body into an object. */
export function decodeObject(body: Buffer, contentType: string | undefined): any {
  const type = mediaType(contentType);
  let value: unknown;
  if (type === '' || type === 'application/json' || type === '*/*') value = parseJson(body);
  else if (type === 'application/yaml') value = parseYamlBody(body);
  else if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      value = decodeProtobufObject(body);
    } catch (err) {
      throw badRequest(`failed to decode protobuf body: ${(err as Error).message}`);
    }
  } else throw unsupportedMediaType(type);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('the body of the request must be a JSON or YAML object');
  }
  return value;
}

/** Decodes a DELETE body (DeleteOptions), which may be empty, JSON or protobuf. */
export function decodeDeleteOptions(body: Buffer, contentType: string | undefined): any {
  if (body.length === 0) return {};
  return decodeObject(body, contentType);
}

/** Patch bodies are JSON for every patch type (apply patches are YAML, and JSON is YAML). */
export function decodePatch(body: Buffer, patchType: string): unknown {
  if (patchType === 'application/apply-patch+yaml') return parseYamlBody(body);
  return parseJson(body);
}
