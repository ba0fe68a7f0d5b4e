// The reporter a person reads: a live progress line while checks run (on a
// terminal only), one line per finished check, and for each failure what was
// expected, what was seen, the objects involved and the last lines of the
// implementation's own logs. With --repeat N each line says how many runs
// passed. The seed is printed first and last, so any run can be replayed.
// Colours only on a TTY.

import type { TestCase, TestModule } from 'vitest/node';
import type { ClusterInfo } from '../harness/cluster.ts';
import { CollectingReporter, isFlaky, summarize, type CheckOutcome } from './outcomes.ts';
import { lastLogLines, type ProcessLogLine } from './process-logs.ts';
import type { RunDescription } from './machine-reporters.ts';

const tty = !!process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const green = paint(32);
const red = paint(31);
const yellow = paint(33);
const dim = paint(2);
const bold = paint(1);

export class PrettyReporter extends CollectingReporter {
  private running = new Set<string>();
  private total = 0;
  private progressShown = false;
  /** Each failed check's window on the implementation's logs, read while the cluster still runs. */
  private logs = new Map<string, { started: number; lines: ProcessLogLine[] }>();

  constructor(private readonly run: Pick<RunDescription, 'implementation' | 'seed' | 'repeat'>) {
    super();
  }

  onInit(): void {
    this.startedAt = Date.now();
    process.stdout.write(`${bold('kubelab conformance')} ${dim(`— ${this.run.implementation}, checked through the Kubernetes API`)}\n`);
    const repeat = this.run.repeat > 1 ? `, each check runs ${this.run.repeat} times` : '';
    process.stdout.write(dim(`seed ${this.run.seed}${repeat}\n`));
  }

  onTestModuleCollected(module: TestModule): void {
    for (const test of module.children.allTests()) if (test.options.mode !== 'skip') this.total++;
  }

  onTestCaseReady(test: TestCase): void {
    this.running.add(test.name);
    this.drawProgress();
  }

  onTestCaseResult(test: TestCase): void {
    this.running.delete(test.name);
    if (test.result().state === 'failed') this.keepLogs(test);
    super.onTestCaseResult(test);
    this.drawProgress();
  }

  private keepLogs(test: TestCase): void {
    const cluster = (test.project.getProvidedContext() as { cluster?: ClusterInfo }).cluster;
    if (cluster?.driver !== 'process') return;
    // The check's own run (check.ts): the cluster it was given, from when it was given it.
    const run = test.meta().run;
    const diagnostic = test.diagnostic();
    const started = run?.startedAt ?? diagnostic?.startTime ?? Date.now();
    const duration = run?.durationMs ?? diagnostic?.duration ?? 0;
    // Lines up to the failure, from every process (a controller's error often explains an API answer).
    const lines = lastLogLines(run?.kubeconfig ?? cluster.kubeconfig, started + duration + 500);
    this.logs.set(test.meta().check?.id ?? test.name.split(': ')[0], { started, lines });
  }

  private printLogs(id: string): void {
    const kept = this.logs.get(id);
    if (!kept) return;
    if (kept.lines.length === 0) {
      process.stdout.write(dim('  the implementation wrote nothing to its logs\n'));
      return;
    }
    process.stdout.write(dim(`  last lines of the implementation's logs (seconds from the check's start):\n`));
    const width = Math.max(...kept.lines.map((l) => l.process.length));
    for (const l of kept.lines) {
      const at = ((l.time - kept.started) / 1000).toFixed(1);
      process.stdout.write(`  ${dim(`${at.startsWith('-') ? at : `+${at}`}s ${l.process.padEnd(width)} |`)} ${l.text}\n`);
    }
  }

  protected onOutcome(o: CheckOutcome): void {
    this.clearProgress();
    const mark = o.status === 'passed' ? green('✓') : o.status === 'failed' ? red('✗') : yellow('↓');
    const points = dim(` [${o.points} pt${o.points === 1 ? '' : 's'}]`);
    const time = o.status === 'skipped' ? '' : dim(` ${o.durationMs} ms`);
    process.stdout.write(`${mark} ${o.id}: ${o.title}${points}${time}${this.passRate(o)}\n`);
    if (o.status === 'skipped' && o.message) process.stdout.write(dim(`    skipped: ${o.message}\n`));
  }

  /** " 3/5 passed (flaky)": a flaky implementation passes some runs, a broken one none. */
  private passRate(o: CheckOutcome): string {
    if (o.runs === undefined) return '';
    const text = ` ${o.passedRuns}/${o.runs} passed`;
    return isFlaky(o) ? yellow(`${text} (flaky)`) : o.passedRuns === 0 ? red(text) : green(text);
  }

  private drawProgress(): void {
    if (!tty) return;
    const failed = this.outcomes.filter((o) => o.status === 'failed').length;
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    // Checks run side by side: the line names the oldest one still running and how many others run with it.
    const running = [...this.running];
    const current = running.length === 0 ? '' : `${running[0].split(': ')[0]}${running.length > 1 ? ` +${running.length - 1} more` : ''}`;
    const line = `${this.outcomes.length}/${this.total || '?'} checks · ${failed ? red(`${failed} failed`) : green('0 failed')} · ${seconds}s ${dim(current.slice(0, 70))}`;
    process.stdout.write(`\r\x1b[2K${line}`);
    this.progressShown = true;
  }

  private clearProgress(): void {
    if (this.progressShown) process.stdout.write('\r\x1b[2K');
    this.progressShown = false;
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<{ message?: string }>): void {
    this.clearProgress();
    for (const f of this.outcomes.filter((o) => o.status === 'failed')) {
      process.stdout.write(`\n${red(bold('FAIL'))} ${bold(`${f.id}: ${f.title}`)}${this.passRate(f)}\n`);
      if (f.cites) process.stdout.write(dim(`  Kubernetes: ${f.cites}\n`));
      // A Kubernetes client's error also lists the response's HTTP headers: noise for a person.
      const lines = (f.message ?? '').split('\n').filter((l) => !l.startsWith('Headers: {'));
      process.stdout.write(lines.map((l) => `  ${l}`).join('\n') + '\n');
      if (f.timeline) process.stdout.write(`  timeline: ${f.timeline}\n`);
      this.printLogs(f.id);
    }
    for (const e of errors) process.stdout.write(`\n${red('error outside any check:')} ${e.message}\n`);
    const s = summarize(this.outcomes);
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    const flaky = this.outcomes.filter(isFlaky).length;
    process.stdout.write(`\n${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${flaky ? ` (${flaky} flaky)` : ''}\n`);
    process.stdout.write(dim(`${s.points}/${s.maxPoints} points · ${seconds} s · seed ${this.run.seed}\n`));
    if (s.failed) process.stdout.write(dim(`to run the failed checks again, add --rerun-failed (and --seed ${this.run.seed} for the same input)\n`));
  }
}
