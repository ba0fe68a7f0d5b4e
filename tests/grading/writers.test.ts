// The reports of one synthetic grade: grade.json keeps the grade as it is;
// junit.xml has a suite per lab and a testcase per check with failure/skipped
// elements; summary.md has a table row per step and the reasons of the checks
// that earned nothing; results.json follows Gradescope's format; and the
// summary is appended to $GITHUB_STEP_SUMMARY when that is set.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreLabs, type Grade } from '../../conformance/grading/scoring.ts';
import { junitXml } from '../../conformance/grading/writers/junit.ts';
import { summaryMarkdown } from '../../conformance/grading/writers/summary-md.ts';
import { gradescopeResults } from '../../conformance/grading/writers/gradescope.ts';
import { consoleSummary } from '../../conformance/grading/writers/console-summary.ts';
import { writeReports } from '../../conformance/grading/writers/write-reports.ts';
import { CATALOGUE, LAB } from './fixtures.ts';

const GRADE: Grade = {
  kind: 'KubelabGrade', version: 1, implementation: 'student-impl', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 61_500,
  ...scoreLabs([LAB], CATALOGUE, [
    { id: 'demo.run.starts', status: 'passed', durationMs: 1500 },
    { id: 'demo.run.serves', status: 'failed', message: 'expected <200> & "OK"\nseen: 503', durationMs: 2000 },
    { id: 'demo.nodes.lost', status: 'skipped', message: 'needs kill-node' },
    { id: 'demo.nodes.back', status: 'passed' },
  ]),
};

/** The elements named `tag` in an XML text, with their attributes (a minimal reader, enough for junit.xml). */
function elements(text: string, tag: string): Record<string, string>[] {
  const unescape = (v: string) => v.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return [...text.matchAll(new RegExp(`<${tag}\\b([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], unescape(a[2])])));
}

describe('junit.xml', () => {
  const text = junitXml(GRADE);

  it('is well formed: every opened element is closed, in order', () => {
    const stack: string[] = [];
    for (const m of text.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)(\w+)[^>]*?(\/?)>/g)) {
      if (m[3]) continue;
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]);
    }
    expect(stack).toEqual([]);
  });

  it('has a suite per lab and a testcase per check, with failure and skipped elements', () => {
    expect(elements(text, 'testsuites')[0]).toMatchObject({ tests: '4', failures: '1', skipped: '1' });
    expect(elements(text, 'testsuite')).toEqual([expect.objectContaining({ name: 'demo', tests: '4', failures: '1', skipped: '1' })]);
    expect(elements(text, 'property')).toEqual([{ name: 'score', value: '4' }, { name: 'maxScore', value: '10' }]);
    const cases = elements(text, 'testcase');
    expect(cases.map((c) => c.classname)).toEqual(['demo.run', 'demo.run', 'demo.nodes', 'demo.nodes']);
    expect(cases[2].name).toBe('demo.nodes.lost: A lost node <is> "noticed" & tainted');
    expect(elements(text, 'failure')).toEqual([{ message: 'expected <200> & "OK"' }]);
    expect(elements(text, 'skipped')).toEqual([{ message: 'needs kill-node' }]);
  });
});

describe('summary.md', () => {
  const text = summaryMarkdown(GRADE);

  it('starts with the total and has a row per step with its score', () => {
    expect(text.split('\n')[0]).toBe('# kubelab grade: 4/10 points (40%)');
    expect(text).toContain('| Step | Score | Checks passed |');
    expect(text).toContain('| ❌ Run a pod (`run`) | 3/5 | 1/2 |');
    expect(text).toContain('| ❌ Survive a lost node (`nodes`) | 1/5 | 1/2 |');
  });

  it('lists the checks that earned nothing, with why', () => {
    expect(text).toMatch(/❌ \*\*demo\.run\.serves\*\* \(failed, step `run`, 2 points\)/);
    expect(text).toContain('  seen: 503');
    expect(text).toMatch(/⏭️ \*\*demo\.nodes\.lost\*\* \(skipped, step `nodes`, 4 points\)/);
    expect(text).not.toMatch(/\*\*demo\.run\.starts\*\*/);
  });
});

describe('results.json (Gradescope)', () => {
  const results = gradescopeResults(GRADE);

  it('has the total score and one test per check with score, max_score, status and output', () => {
    expect(results.score).toBe(4);
    expect(results.execution_time).toBe(62);
    expect(results.tests).toHaveLength(4);
    expect(results.tests[0]).toMatchObject({ score: 3, max_score: 3, status: 'passed', number: '1.1.1', visibility: 'visible' });
    expect(results.tests[1]).toMatchObject({ score: 0, max_score: 2, status: 'failed', output: expect.stringMatching(/^Failed: expected/) });
    // Gradescope has no "skipped": a skipped check is failed, and says why.
    expect(results.tests[2]).toMatchObject({ score: 0, max_score: 4, status: 'failed', output: 'Skipped: needs kill-node' });
    expect(results.tests.reduce((n, t) => n + t.score, 0)).toBe(results.score);
  });
});

describe('console summary', () => {
  it('prints each lab and the total, coloured only when asked', () => {
    const plain = consoleSummary(GRADE, false);
    expect(plain).toMatch(/demo\s+4\/10\s+40%\s+Demo: run and lose pods\s+\(1 skipped\)/);
    expect(plain).toMatch(/total\s+4\/10\s+40%/);
    expect(plain).not.toContain('\x1b[');
    expect(consoleSummary(GRADE, true)).toContain('\x1b[33m');
  });
});

describe('writeReports', () => {
  it('writes the four files and appends the summary to $GITHUB_STEP_SUMMARY', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelab-grade-writers-'));
    try {
      const stepSummary = join(dir, 'step-summary.md');
      writeFileSync(stepSummary, 'before\n');
      writeReports(GRADE, join(dir, 'out'), { GITHUB_STEP_SUMMARY: stepSummary });
      expect(JSON.parse(readFileSync(join(dir, 'out', 'grade.json'), 'utf8'))).toEqual(GRADE);
      expect(JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')).score).toBe(4);
      expect(readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')).toBe(junitXml(GRADE));
      expect(readFileSync(stepSummary, 'utf8')).toBe(`before\n${summaryMarkdown(GRADE)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
