// The reporter a person reads: a live progress line while checks run (on a
// terminal only), one line per finished check, and for each failure what was
// expected, what was seen, and the objects involved. Colours only on a TTY.

import type { TestCase, TestModule } from 'vitest/node';
import { CollectingReporter, summarize, type CheckOutcome } from './outcomes.ts';

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

  constructor(private readonly implementation: string) {
    super();
  }

  onInit(): void {
    this.startedAt = Date.now();
    process.stdout.write(`${bold('kubelab conformance')} ${dim(`— ${this.implementation}, checked through the Kubernetes API`)}\n`);
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
    super.onTestCaseResult(test);
    this.drawProgress();
  }

  protected onOutcome(o: CheckOutcome): void {
    this.clearProgress();
    const mark = o.status === 'passed' ? green('✓') : o.status === 'failed' ? red('✗') : yellow('↓');
    const points = dim(` [${o.points} pt${o.points === 1 ? '' : 's'}]`);
    const time = o.status === 'skipped' ? '' : dim(` ${o.durationMs} ms`);
    process.stdout.write(`${mark} ${o.id}: ${o.title}${points}${time}\n`);
    if (o.status === 'skipped' && o.message) process.stdout.write(dim(`    skipped: ${o.message}\n`));
  }

  private drawProgress(): void {
    if (!tty) return;
    const failed = this.outcomes.filter((o) => o.status === 'failed').length;
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    const current = [...this.running][0] ?? '';
    const line = `${this.outcomes.length}/${this.total || '?'} checks · ${failed ? red(`${failed} failed`) : green('0 failed')} · ${seconds}s ${dim(current.slice(0, 60))}`;
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
      process.stdout.write(`\n${red(bold('FAIL'))} ${bold(`${f.id}: ${f.title}`)}\n`);
      if (f.cites) process.stdout.write(dim(`  Kubernetes: ${f.cites}\n`));
      process.stdout.write((f.message ?? '').split('\n').map((l) => `  ${l}`).join('\n') + '\n');
    }
    for (const e of errors) process.stdout.write(`\n${red('error outside any check:')} ${e.message}\n`);
    const s = summarize(this.outcomes);
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    process.stdout.write(`\n${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped\n`);
    process.stdout.write(dim(`${s.points}/${s.maxPoints} points · ${seconds} s\n`));
  }
}
