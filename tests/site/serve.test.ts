// `kubelab site serve`: static files with 200 and 404, nothing outside the
// site, and the grade of a grade.json injected as assets/grade.js so each
// step's box can show its checks passed, failed or skipped.

import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grade } from '../../conformance/grading/scoring.ts';
import { serveSite, type SiteServer } from '../../site/src/serve.ts';
import { buildFixture, tempDir } from './fixtures.ts';

const GRADE: Grade = {
  kind: 'KubelabGrade', version: 1, implementation: '/home/student/orchestrator', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1000,
  score: 3, maxScore: 10,
  labs: [{
    name: 'first', title: 'First', score: 3, maxScore: 9,
    steps: [
      { id: 'run', title: 'Run a pod', score: 3, maxScore: 5, checks: [
        { id: 'fixture.run.starts', title: 'A pod starts', points: 3, score: 3, status: 'passed' },
        { id: 'fixture.run.serves', title: 'A pod serves', points: 2, score: 0, status: 'failed', reason: 'expected 200, saw </script> 503' },
      ] },
      { id: 'serve', title: 'Serve HTTP', score: 0, maxScore: 4, checks: [
        { id: 'fixture.serve.lost', title: 'A lost node', points: 4, score: 0, status: 'skipped', reason: 'needs kill-node' },
      ] },
    ],
  }],
};

/** The status of a GET of `path` exactly as written. */
function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    get({ host: hostname, port, path }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
  });
}

/** What a page's grade.js sets window.KUBELAB_GRADE to. */
function gradeIn(script: string): any {
  const window: { KUBELAB_GRADE?: unknown } = {};
  runInNewContext(script, { window });
  return window.KUBELAB_GRADE;
}

describe('kubelab site serve', () => {
  const temp = tempDir();
  const out = join(temp.dir, 'dist');
  const gradeFile = join(temp.dir, 'grade.json');
  let served: SiteServer;
  let bare: SiteServer;

  beforeAll(async () => {
    await buildFixture(out);
    writeFileSync(gradeFile, JSON.stringify(GRADE));
    served = await serveSite({ dir: out, port: 0, host: '127.0.0.1', gradeFile });
    bare = await serveSite({ dir: out, port: 0, host: '127.0.0.1', gradeFile: join(temp.dir, 'missing.json') });
  });
  afterAll(async () => {
    await served?.close();
    await bare?.close();
    temp.remove();
  });

  it('answers 200 with the pages and assets, with their content types', async () => {
    for (const [path, type] of [['', 'text/html'], ['index.html', 'text/html'], ['01-first.html', 'text/html'], ['assets/site.js', 'text/javascript'], ['assets/style.css', 'text/css'], ['01-first/diagram.svg', 'image/svg+xml']]) {
      const res = await fetch(served.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
    }
    expect(await (await fetch(served.url + '01-first.html')).text()).toBe(readFileSync(join(out, '01-first.html'), 'utf8'));
  });

  it('answers 404 for what the site does not have, and never serves a file outside it', async () => {
    expect((await fetch(served.url + 'no-such-page.html')).status).toBe(404);
    // fetch() would tidy the dots away; a raw request sends them as they are.
    expect(await rawStatus(served.url, '/../grade.json')).toBe(404);
    expect(await rawStatus(served.url, '/assets/%2e%2e/%2e%2e/grade.json')).toBe(404);
    expect(await rawStatus(served.url, '/assets/../index.html')).toBe(200);
    expect((await fetch(served.url + 'index.html', { method: 'POST' })).status).toBe(405);
  });

  it('injects the grade: each check of each step with its status and reason', async () => {
    const res = await fetch(served.url + 'assets/grade.js');
    expect(res.status).toBe(200);
    const script = await res.text();
    expect(script).not.toContain('</script>'); // a reason cannot end the script early
    const grade = gradeIn(script);
    expect(grade).toMatchObject({ score: 3, maxScore: 10, implementation: '/home/student/orchestrator' });
    const statuses = Object.fromEntries(grade.labs[0].steps.flatMap((s: any) => s.checks.map((c: any) => [c.id, c.status])));
    expect(statuses).toEqual({ 'fixture.run.starts': 'passed', 'fixture.run.serves': 'failed', 'fixture.serve.lost': 'skipped' });
    expect(grade.labs[0].steps[0]).toMatchObject({ id: 'run', score: 3, maxScore: 5 });
    expect(grade.labs[0].steps[0].checks[1].reason).toBe('expected 200, saw </script> 503');
    // The page has a place for each of those checks, keyed as the grade is.
    const page = readFileSync(join(out, '01-first.html'), 'utf8');
    expect(page).toContain('data-lab="first" data-step="run"');
    for (const id of Object.keys(statuses)) expect(page).toContain(`<li data-check="${id}"><span class="status" hidden></span>`);
  });

  it('reads the grade again at each request, and shows none without one (the built file stays static)', async () => {
    writeFileSync(gradeFile, JSON.stringify({ ...GRADE, score: 9 }));
    expect(gradeIn(await (await fetch(served.url + 'assets/grade.js')).text()).score).toBe(9);
    expect(gradeIn(await (await fetch(bare.url + 'assets/grade.js')).text())).toBeNull();
    expect(gradeIn(readFileSync(join(out, 'assets', 'grade.js'), 'utf8'))).toBeNull();
  });
});
