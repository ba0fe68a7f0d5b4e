// The lab lessons stay true: every labs/*/README.md is read as the lesson site
// reads it (labs/README.md describes the format), and
// - its steps are the steps of its lab.yaml, each once, in order, numbered 1, 2, …;
// - every `<!-- code: path#lab -->` names a reference file that holds that LAB region;
// - a step's `kubelab conformance --grep '…'` selects exactly that step's checks;
// - every command of its `sh` blocks runs, in order, against one fresh reference
//   cluster (three nodes and, as `npm start` has, twenty simulated ones that
//   only pods tolerating their taint go to; the fast profile), with the lab folder as working
//   directory and KUBECONFIG set, exactly as a student would type them. A command
//   that fails names the lab, the step, the line, and shows what it printed.
//
// Labs run one after the other on the same cluster (00-setup first, then by
// folder name), so a lab that leaves something behind affects the next one:
// each lab works in a namespace of its own and undoes changes to nodes.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabs } from '../../conformance/grading/lab-files.ts';
import { findRegions } from '../../scripts/starter/regions.ts';
import { runCommand } from '../support/run-command.ts';
import { KUBECTL, kubectlSession, kubectlTitle } from '../kubectl/support.ts';
import { parseLabReadme, type LabReadme } from './lab-readme.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LABS = join(ROOT, 'labs');

/** The lab format's promise: each command finishes within 60 s. A little more, for a loaded machine. */
const COMMAND_TIMEOUT_MS = 75_000;

/** As `npm start` (package.json): the replicasets lab spreads a ReplicaSet over them. */
const SIMULATED_NODES = 20;

/** The lesson folders in site order: 00-setup first, then the labs by folder name. */
const folders = readdirSync(LABS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(LABS, entry.name, 'README.md')))
  .map((entry) => entry.name)
  .sort((a, b) => (a === '00-setup' ? -1 : b === '00-setup' ? 1 : a.localeCompare(b)));

const readmes = new Map<string, LabReadme>(folders.map((folder) => [folder, parseLabReadme(readFileSync(join(LABS, folder, 'README.md'), 'utf8'))]));
const labs = new Map(readLabs(LABS).map((lab) => [lab.folder, lab]));

describe('parseLabReadme', () => {
  const text = [
    '# A lab', // 1
    '## Step 1: First', // 2
    '<!-- step: first -->', // 3
    '```sh', // 4
    '# a comment', // 5
    'kubectl get pods', // 6
    '', // 7
    'kubectl get pods \\', // 8
    '  -o wide', // 9
    '```', // 10
    '```sh norun', // 11
    'npm ci', // 12
    '```', // 13
    '````md', // 14
    '## Step 9: inside a fence', // 15
    '```sh', // 16
    'not a command', // 17
    '```', // 18
    '````', // 19
    '<!-- code: reference/src/x.ts#pods -->', // 20
    '## Step 2: Second', // 21
    'no marker here', // 22
    '```sh norun', // 23
    "npx kubelab conformance --impl ../mine --grep 'api\\.watch'", // 24
    '```', // 25
  ].join('\n');
  const readme = parseLabReadme(text);

  it('finds the title, the steps with their markers, and the code includes, outside fences only', () => {
    expect(readme.title).toBe('A lab');
    expect(readme.steps).toEqual([
      { id: 'first', number: 1, title: 'First', line: 2 },
      { id: undefined, number: 2, title: 'Second', line: 21 },
    ]);
    expect(readme.includes).toEqual([{ path: 'reference/src/x.ts', lab: 'pods', line: 20 }]);
    expect(readme.selections).toEqual([{ pattern: 'api\\.watch', line: 24, step: undefined }]);
  });

  it('takes the commands of sh blocks only, without comments, keeping continued lines together', () => {
    expect(readme.commands).toEqual([
      { command: 'kubectl get pods', line: 6, step: 'first' },
      { command: 'kubectl get pods \\\n  -o wide', line: 8, step: 'first' },
    ]);
  });

  it('refuses a fence that is never closed', () => {
    expect(() => parseLabReadme('# t\n```sh\nkubectl get pods\n')).toThrow(/never closed/);
  });
});

describe('the lab READMEs', () => {
  it('exist for the setup page and the first labs', () => {
    expect(folders).toEqual(expect.arrayContaining(['00-setup', '00-api', '01-pods', '02-replicasets']));
    expect(folders[0]).toBe('00-setup');
  });

  it('a folder without lab.yaml (00-setup) is a page, not a lab: the grader leaves it out', () => {
    expect([...labs.keys()]).not.toContain('00-setup');
    expect(labs.has('01-pods')).toBe(true);
  });

  it.each(folders)('%s: starts with "# title" and has the steps of its lab.yaml, once each, in order', (folder) => {
    const readme = readmes.get(folder)!;
    expect(readme.title, `${folder}/README.md must start with "# <title>"`).toBeTruthy();
    const lab = labs.get(folder);
    if (!lab) {
      expect(readme.steps, `${folder} has no lab.yaml, so it has no steps`).toEqual([]);
      return;
    }
    for (const step of readme.steps) {
      expect(step.id, `labs/${folder}/README.md:${step.line}: "## Step ${step.number}" must be followed by <!-- step: <id> -->`).toBeDefined();
    }
    expect(readme.steps.map((s) => s.id), `labs/${folder}/README.md: the step markers, against lab.yaml`).toEqual(lab.steps.map((s) => s.id));
    expect(readme.steps.map((s) => s.number), `labs/${folder}/README.md: steps are numbered 1, 2, …`).toEqual(lab.steps.map((_, i) => i + 1));
    expect(readme.steps.length).toBeGreaterThan(0);
  });

  it.each(folders)("%s: a step's `kubelab conformance --grep '…'` selects exactly the checks of that step", (folder) => {
    const lab = labs.get(folder);
    const everyCheck = [...labs.values()].flatMap((l) => l.steps.flatMap((s) => s.checks));
    for (const { pattern, line, step } of readmes.get(folder)!.selections) {
      if (!lab || !step) continue; // outside a step (the setup page): any example goes
      const selected = everyCheck.filter((id) => new RegExp(pattern, 'i').test(id)).sort();
      const wanted = [...lab.steps.find((s) => s.id === step)!.checks].sort();
      expect(selected, `labs/${folder}/README.md:${line}: --grep '${pattern}' in step "${step}"`).toEqual(wanted);
    }
  });

  it.each(folders)('%s: every <!-- code: path#lab --> names a file with that LAB region', (folder) => {
    for (const include of readmes.get(folder)!.includes) {
      const where = `labs/${folder}/README.md:${include.line}: ${include.path}#${include.lab}`;
      const file = join(ROOT, include.path);
      expect(existsSync(file), `${where}: no such file`).toBe(true);
      const labsInFile = findRegions(readFileSync(file, 'utf8'), include.path).map((r) => r.lab);
      expect(labsInFile, `${where}: the file has no LAB(${include.lab}) region`).toContain(include.lab);
    }
  });
});

describe.skipIf(!KUBECTL)(kubectlTitle('the try-it commands of every lab, against one reference cluster'), () => {
  const session = kubectlSession({ name: 'labs', nodes: 3, profile: 'fast', timeoutMs: COMMAND_TIMEOUT_MS });
  beforeAll(async () => {
    await session.start();
    await session.cluster.startSimulator(SIMULATED_NODES);
  }, 90_000);
  afterAll(() => session.stop(), 60_000);

  for (const folder of folders) {
    const commands = readmes.get(folder)!.commands;
    it.skipIf(commands.length === 0)(`${folder}: ${commands.length} commands`, async () => {
      for (const { command, line, step } of commands) {
        const startedAt = Date.now();
        // bash, as a student's terminal would run them: $(…), pipes and `!` work.
        const result = await runCommand('bash', ['-c', command], { cwd: join(LABS, folder), env: session.env, timeout: COMMAND_TIMEOUT_MS });
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-40).join('\n');
        const why = result.status === null ? `was stopped after ${seconds} s` : `exited ${result.status} after ${seconds} s`;
        const where = `labs/${folder}/README.md:${line} (${step ? `step "${step}"` : 'before the first step'})`;
        expect(result.status, `${where}: \`${command}\` ${why}:\n${output}`).toBe(0);
      }
    }, 10 * 60_000);
  }
});
