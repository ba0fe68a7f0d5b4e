// Fuzzing the API server: 10,000 requests it must refuse (fuzz-requests.ts makes them,
// from a seed), sent 32 at a time to a real API server process over https with its
// SQLite store. Every answer must be a 4xx Kubernetes Status whose code matches the
// HTTP status and, for field errors, names the field; the process must stay up and
// ready; and every stored object must be exactly as before (same resourceVersions).
//
// Status shape: https://kubernetes.io/docs/reference/using-api/api-concepts/#api-error-responses
// (metav1.Status: kind Status, status Failure, reason, code, details.causes[].field).
//
// FUZZ_SEED=n repeats a run; FUZZ_COUNT=n changes its size; FUZZ_DUMP=file writes every wrong answer there.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generator, LISTS, seedObjects, type FuzzCase } from './fuzz-requests.ts';
import { startApiServerProcess, type ApiServerProcess } from '../support/apiserver-process.ts';
import type { RawResponse } from '../../conformance/harness/raw-client.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const IN_FLIGHT = 32;

let api: ApiServerProcess;
beforeAll(async () => {
  api = await startApiServerProcess('sqlite');
  for (const { path, body } of seedObjects()) {
    const res = await api.request({ method: 'POST', path, body });
    if (res.status !== 201) throw new Error(`seeding ${path}: ${res.status} ${res.text}`);
  }
});
afterAll(async () => api?.stop());

/** Every stored object of every kind, as "path key → resourceVersion". */
async function snapshot(): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const list of LISTS) {
    const res = await api.request({ path: list });
    if (res.status !== 200) throw new Error(`GET ${list}: ${res.status} ${res.text}`);
    for (const item of res.json.items) seen[`${list} ${item.metadata.namespace ?? ''}/${item.metadata.name}`] = item.metadata.resourceVersion;
  }
  return seen;
}

/** What is wrong with one answer, or undefined when it is the Status Kubernetes would send. */
function problem(c: FuzzCase, res: RawResponse): string | undefined {
  if (res.status < 400 || res.status > 499) return `HTTP ${res.status}, expected a 4xx (${c.expect.join(' or ')})`;
  if (!c.expect.includes(res.status)) return `HTTP ${res.status}, expected ${c.expect.join(' or ')}`;
  const s = res.json;
  if (!s || s.kind !== 'Status' || s.apiVersion !== 'v1') return 'the body is not a v1 Status';
  if (s.status !== 'Failure') return `status is ${s.status}, expected Failure`;
  if (typeof s.reason !== 'string' || !s.reason) return 'the Status has no reason';
  if (s.code !== res.status) return `Status code ${s.code} differs from HTTP ${res.status}`;
  if (typeof s.message !== 'string' || !s.message) return 'the Status has no message';
  if (c.field) {
    const fields = (s.details?.causes ?? []).map((cause: any) => cause.field);
    if (!fields.includes(c.field)) return `details.causes do not name ${c.field} (they name ${JSON.stringify(fields)})`;
  }
  return undefined;
}

/** CPU time a process used so far (utime + stime, /proc/PID/stat fields 14 and 15), to judge the run apart from the machine's load. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN; // no /proc
  }
}

function describeCase(c: FuzzCase): string {
  const body = c.request.body === undefined ? '' : typeof c.request.body === 'string' || Buffer.isBuffer(c.request.body) ? String(c.request.body) : JSON.stringify(c.request.body);
  const shown = body.length > 300 ? `${body.slice(0, 300)}… (${body.length} bytes)` : body;
  return `${c.category}: ${c.request.method ?? 'GET'} ${c.request.path} ${JSON.stringify(c.request.headers ?? {})} token=${JSON.stringify(c.request.token)} ${shown}`;
}

describe('API server fuzzing', () => {
  it(`answers ${COUNT} invalid requests with 4xx Statuses, stays up, and changes nothing`, async () => {
    const before = await snapshot();
    const nextCase = generator(SEED);
    const failures: string[] = [];
    const perCategory: Record<string, Record<number, number>> = {};
    let sent = 0;
    const worker = async () => {
      while (sent < COUNT) {
        sent++;
        const c = nextCase();
        let res: RawResponse;
        try {
          res = await api.request({ ...c.request, timeoutMs: 15_000 });
        } catch (err) {
          failures.push(`${describeCase(c)}\n  → no answer: ${(err as Error).message}`);
          continue;
        }
        (perCategory[c.category] ??= {})[res.status] = (perCategory[c.category][res.status] ?? 0) + 1;
        const wrong = problem(c, res);
        if (wrong) failures.push(`${describeCase(c)}\n  → ${wrong}: ${res.text.slice(0, 400)}`);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    console.log(`fuzz seed ${SEED}: ${COUNT} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (API server CPU ${cpuSeconds(api.pid).toFixed(1)} s); answers per category: ${JSON.stringify(perCategory)}`);

    if (process.env.FUZZ_DUMP) writeFileSync(process.env.FUZZ_DUMP, failures.join('\n'));
    const summary = `seed ${SEED} (repeat with FUZZ_SEED=${SEED}): ${failures.length} of ${COUNT} answers were wrong; the first ones:\n${failures.slice(0, 5).join('\n')}`;
    expect(failures, summary).toEqual([]);
    expect(api.exited(), `the API server exited:\n${api.output()}`).toBeUndefined();
    expect((await api.request({ path: '/readyz' })).status).toBe(200);
    // Every category ran.
    expect(Object.keys(perCategory).length).toBe(13);
    expect(await snapshot(), `seed ${SEED}: stored objects changed`).toEqual(before);
  }, 300_000);
});
