// The templates a course copies (templates/README.md), run on the reference:
// - templates/gradescope/run_autograder grades a submission laid out the way
//   Gradescope lays it out and leaves a valid results.json (and, when the
//   submission cannot be graded, a results.json that says why);
// - templates/github/kubelab.yml has the steps a student repository needs, and
//   its converter turns the grade.json that run wrote into the base64 result
//   GitHub Classroom's reporter reads, with the same points.
// One grade of one small lab (namespaces) is shared by every test: it is the
// slow part (about 30 s).

import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_AUTOGRADER = join(ROOT, 'templates/gradescope/run_autograder');
const CONVERTER = join(ROOT, 'templates/github/classroom-result.mjs');
const WORKFLOW = join(ROOT, 'templates/github/kubelab.yml');

const scratch = mkdtempSync(join(tmpdir(), 'kubelab-templates-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs run_autograder with Gradescope's folders under `root` and this repository as the installed kubelab. */
async function runAutograder(root: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, AUTOGRADER_ROOT: root, KUBELAB_HOME: ROOT, KUBELAB_GRADE_ARGS: '--lab namespaces', NO_COLOR: '1' };
  delete env.GITHUB_STEP_SUMMARY;
  try {
    const { stdout } = await promisify(execFile)(RUN_AUTOGRADER, [], { env, timeout: 150_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A submission the way a student hands in the reference: its kubelab.yaml, its code, its package files. */
function referenceSubmission(root: string): void {
  const submission = join(root, 'submission');
  mkdirSync(submission, { recursive: true });
  for (const file of ['kubelab.yaml', 'package.json']) writeFileSync(join(submission, file), readFileSync(join(ROOT, file)));
  // The code and its installed dependencies are linked, not copied: the copy run_autograder makes keeps the links.
  for (const dir of ['reference', 'node_modules']) symlinkSync(join(ROOT, dir), join(submission, dir));
}

/** Runs the converter the way the workflow does; returns the decoded result and the output line. */
function convert(args: string[]) {
  const output = join(mkdtempSync(join(scratch, 'output-')), 'github_output');
  writeFileSync(output, '');
  const run = spawnSync('node', [CONVERTER, ...args], { encoding: 'utf8', env: { ...process.env, GITHUB_OUTPUT: output } });
  expect(run.status, run.stderr).toBe(0);
  const line = readFileSync(output, 'utf8');
  const match = /^(\w+)=([A-Za-z0-9+/=]+)\n$/.exec(line);
  expect(match, line).not.toBeNull();
  return { name: match![1], result: JSON.parse(Buffer.from(match![2], 'base64').toString('utf8')) };
}

interface ClassroomTest { name: string; status: string; score: number; max_score: number; message?: string }

/** The shape the Classroom reporter reads (autograding-grading-reporter, src/main.js and src/notify-classroom.js). */
function expectClassroomShape(result: { version: number; status: string; max_score: number; tests: ClassroomTest[] }) {
  expect(result.version).toBe(1);
  expect(['pass', 'fail', 'error']).toContain(result.status);
  expect(typeof result.max_score).toBe('number');
  for (const test of result.tests) {
    expect(typeof test.name).toBe('string');
    expect(['pass', 'fail', 'error']).toContain(test.status);
    expect(typeof test.score).toBe('number');
  }
}

const sumOf = (items: { score: number }[]) => items.reduce((n, i) => n + i.score, 0);

// The shared grade: run_autograder on the reference, in a root every test below reads.
const root = join(scratch, 'gradescope');
let run: { code: number; stdout: string };
beforeAll(async () => {
  referenceSubmission(root);
  run = await runAutograder(root);
}, 180_000);

describe('the Gradescope autograder', () => {
  it('grades the reference and leaves a results.json in Gradescope\'s format with full marks', () => {
    expect(run.code, run.stdout).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'results/results.json'), 'utf8'));
    const grade = JSON.parse(readFileSync(join(root, 'results/kubelab/grade.json'), 'utf8'));
    // https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format")
    expect(results.tests.length).toBeGreaterThan(0);
    for (const test of results.tests) {
      expect(typeof test.name).toBe('string');
      expect(typeof test.score).toBe('number');
      expect(typeof test.max_score).toBe('number');
      expect(['passed', 'failed']).toContain(test.status);
    }
    expect(results.score).toBe(sumOf(results.tests));
    expect(results.tests.reduce((n: number, t: { max_score: number }) => n + t.max_score, 0)).toBe(grade.maxScore);
    expect(results.score).toBe(grade.score);
    expect(grade.labs.map((l: { name: string }) => l.name)).toEqual(['namespaces']);
    expect(grade.score).toBe(grade.maxScore);
    // The submission itself is left as it was handed in.
    expect(existsSync(join(root, 'submission/kubelab-grade'))).toBe(false);
  });

  it('writes a results.json that explains why when the submission has no kubelab.yaml', async () => {
    const empty = join(scratch, 'gradescope-empty');
    mkdirSync(join(empty, 'submission'), { recursive: true });
    writeFileSync(join(empty, 'submission/README.md'), 'no implementation here\n');
    const failed = await runAutograder(empty);
    expect(failed.code, failed.stdout).toBe(0);
    const results = JSON.parse(readFileSync(join(empty, 'results/results.json'), 'utf8'));
    expect(results.score).toBe(0);
    expect(results.output).toContain('could not grade this submission (exit status 2)');
    expect(results.output).toContain('kubelab.yaml');
    expect(results.tests).toEqual([expect.objectContaining({ name: 'kubelab grade', score: 0, status: 'failed' })]);
  }, 60_000);
});

describe('the GitHub Actions workflow', () => {
  const workflow = parse(readFileSync(WORKFLOW, 'utf8'));
  const job = workflow.jobs.grade;
  const steps: { id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] = job.steps;

  it('checks out the submission and kubelab at a pinned tag, grades, keeps the reports and reports to Classroom', () => {
    expect(workflow.permissions).toMatchObject({ checks: 'write', contents: 'read' });
    // The reporter updates the check run named "Autograding Tests" (src/notify-classroom.js).
    expect(job.name).toBe('Autograding Tests');
    expect(workflow.env.KUBELAB_REF).toMatch(/^v\d+\.\d+\.\d+$/);

    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.map((s) => s.with?.path)).toEqual(['submission', 'kubelab']);
    expect(checkouts[1].with).toMatchObject({ repository: '${{ env.KUBELAB_REPOSITORY }}', ref: '${{ env.KUBELAB_REF }}' });
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(20);

    const gradeStep = steps.findIndex((s) => s.run?.includes('kubelab/bin/kubelab.js grade --impl submission --out kubelab-grade'));
    expect(gradeStep).toBeGreaterThan(-1);
    const upload = steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload).toBeGreaterThan(gradeStep);
    expect(steps[upload].with?.path).toBe('kubelab-grade/');
  });

  it('gives the reporter one runner per converter step, each with its <ID>_RESULTS', () => {
    const converters = steps.filter((s) => s.run?.includes('kubelab/templates/github/classroom-result.mjs'));
    expect(converters.length).toBeGreaterThan(0);
    const reporter = steps.find((s) => s.uses?.startsWith('classroom-resources/autograding-grading-reporter@'));
    expect(reporter).toBeDefined();
    const runners = String(reporter!.with?.runners).split(',').map((r) => r.trim());
    expect(runners).toEqual(converters.map((s) => s.id));
    for (const id of runners) expect(reporter!.env?.[`${id.toUpperCase()}_RESULTS`]).toBe(`\${{ steps.${id}.outputs.result }}`);
    // The script the workflow runs from the kubelab checkout is the one in this repository.
    expect(existsSync(join(ROOT, 'templates/github/classroom-result.mjs'))).toBe(true);
  });
});

describe('the Classroom converter', () => {
  const gradeFile = join(root, 'results/kubelab/grade.json');

  it('turns the real grade.json into a passing runner whose test scores add up to the grade', () => {
    // Written by the shared Gradescope run.
    const grade = JSON.parse(readFileSync(gradeFile, 'utf8'));
    const checks = grade.labs.flatMap((l: any) => l.steps.flatMap((s: any) => s.checks));
    const { name, result } = convert(['--grade', gradeFile]);
    expect(name).toBe('result');
    expectClassroomShape(result);
    expect(result).toMatchObject({ status: 'pass', max_score: grade.maxScore });
    expect(result.tests.map((t: ClassroomTest) => t.name)).toEqual(checks.map((c: any) => expect.stringContaining(c.id)));
    expect(sumOf(result.tests)).toBe(grade.score);
    expect(result.tests.reduce((n: number, t: ClassroomTest) => n + t.max_score, 0)).toBe(grade.maxScore);
  });

  it('marks failed and skipped checks as failing tests that earn nothing and say why; --lab keeps one lab', () => {
    const grade = JSON.parse(readFileSync(gradeFile, 'utf8'));
    const lab = grade.labs[0];
    // The first two checks of the lab, in whichever steps they are.
    const [first, second] = lab.steps.flatMap((step: any) => step.checks);
    for (const step of lab.steps) {
      step.score -= step.checks.filter((c: any) => c === first || c === second).reduce((sum: number, c: any) => sum + c.points, 0);
    }
    Object.assign(first, { status: 'failed', score: 0, reason: 'expected the pod gone, saw it Running' });
    Object.assign(second, { status: 'skipped', score: 0, reason: 'needs kill-node' });
    lab.score -= first.points + second.points;
    grade.score -= first.points + second.points;
    grade.labs.push({ ...lab, name: 'other', score: 0, maxScore: 7, steps: [] });
    grade.maxScore += 7;
    const edited = join(scratch, 'edited-grade.json');
    writeFileSync(edited, JSON.stringify(grade));

    const all = convert(['--grade', edited]).result;
    expectClassroomShape(all);
    expect(all).toMatchObject({ status: 'fail', max_score: grade.maxScore });
    expect(sumOf(all.tests)).toBe(grade.score);
    const failing = all.tests.filter((t: ClassroomTest) => t.status === 'fail');
    expect(failing.map((t: ClassroomTest) => [t.score, t.message])).toEqual([
      [0, 'failed: expected the pod gone, saw it Running'],
      [0, 'skipped: needs kill-node'],
    ]);

    const one = convert(['--grade', edited, '--lab', 'namespaces', '--output', 'namespaces']);
    expect(one.name).toBe('namespaces');
    expect(one.result).toMatchObject({ status: 'fail', max_score: lab.maxScore });
    expect(sumOf(one.result.tests)).toBe(lab.score);
  });

  it('reports an error runner when grading wrote no grade.json', () => {
    const { result } = convert(['--grade', join(scratch, 'missing/grade.json')]);
    expectClassroomShape(result);
    expect(result.status).toBe('error');
    expect(result.tests[0].message).toContain('grading could not run');
  });
});
