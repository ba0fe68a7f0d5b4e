#!/usr/bin/env node
// Turns kubelab's grade.json into the result that GitHub Classroom's
// autograding reporter reads, and writes it as this step's `result` output.
//
// The reporter (classroom-resources/autograding-grading-reporter, src/main.js)
// is given `runners: <step ids>` and, for each id, an environment variable
// `<ID>_RESULTS` holding base64 of a JSON object shaped like the one the
// Classroom graders emit (classroom-resources/autograding-command-grader):
//   { version: 1, status: 'pass' | 'fail' | 'error', max_score,
//     tests: [{ name, status: 'pass' | 'fail' | 'error', score, message?, test_code?, duration? }] }
// It reports to Classroom the sum of every test's `score` out of the sum of
// the runners' `max_score` (src/notify-classroom.js), so each kubelab check
// becomes one test carrying the points it earned: the total Classroom shows is
// kubelab's own total. A runner whose status is 'fail' or 'error' marks the
// job failed, so a student sees a red run until every graded check passes.
// (The reporter's own console table scores a runner by the share of its tests
// that passed, not by their points; the points it sends to Classroom are exact.)
//
// Usage (plain Node, no dependencies):
//   node classroom-result.mjs [--grade kubelab-grade/grade.json] [--lab NAME] [--output result]
// --lab keeps one lab (one runner per lab); --output names the step output.
// Without $GITHUB_OUTPUT (a local run) the line is printed instead.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    grade: { type: 'string', default: 'kubelab-grade/grade.json' },
    lab: { type: 'string' },
    output: { type: 'string', default: 'result' },
  },
});

/** The runner's result when grading itself could not run: no points to report, and why. */
function errorResult(message) {
  return { version: 1, status: 'error', max_score: 0, tests: [{ name: 'kubelab grade', status: 'error', score: 0, message }] };
}

/** One Classroom test per kubelab check, named after its lab and step so a student can find it. */
function classroomResult(grade, labName) {
  const labs = labName ? grade.labs.filter((lab) => lab.name === labName) : grade.labs;
  if (labName && labs.length === 0) return errorResult(`lab ${labName} is not in ${args.grade} (graded: ${grade.labs.map((l) => l.name).join(', ')})`);
  const tests = labs.flatMap((lab) => lab.steps.flatMap((step) => step.checks.map((check) => ({
    name: `${lab.name} / ${step.title}: ${check.id}`,
    status: check.status === 'passed' ? 'pass' : 'fail',
    score: check.score,
    max_score: check.points,
    // A skipped check earned nothing either: the message says why.
    ...(check.status === 'passed' ? {} : { message: `${check.status}: ${check.reason ?? ''}` }),
    test_code: check.id,
    ...(check.durationMs !== undefined ? { duration: check.durationMs } : {}),
  }))));
  return {
    version: 1,
    status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail',
    max_score: labs.reduce((n, lab) => n + lab.maxScore, 0),
    tests,
  };
}

const result = existsSync(args.grade)
  ? classroomResult(JSON.parse(readFileSync(args.grade, 'utf8')), args.lab)
  : errorResult(`kubelab grade wrote no ${args.grade}: grading could not run (see the "Grade" step's log)`);

const line = `${args.output}=${Buffer.from(JSON.stringify(result)).toString('base64')}\n`;
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, line);
else process.stdout.write(line);
