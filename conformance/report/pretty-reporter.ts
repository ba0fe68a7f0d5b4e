// The reporter a person reads: a live progress line while checks run (on a
// terminal only), one line per finished check, and for each failure what was
// expected, what was seen, and the objects involved. Colours only on a TTY.

import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import type { CheckMeta } from '../lib/check.ts';

const tty = !!process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const green = paint(32);
const red = paint(31);
const yellow = paint(33);
const dim = paint(2);
const bold = paint(1);

interface Outcome {
  meta?: CheckMeta;
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  message?: string;
}

export class PrettyReporter implements Reporter {
  private outcomes: Outcome[] = [];
  private running = new Set<string>();
  private started = Date.now();
  private total = 0;
  private progressShown = false;

  onInit(_vitest: Vitest): void {
    this.started = Date.now();
    process.stdout.write(bold('kubelab conformance') + dim(' — checks run against the cluster through the Kubernetes API\n'));
  }

  onTestModuleCollected(module: TestModule): void {
    for (const _ of module.children.allTests()) this.total++;
  }

  onTestCaseReady(test: TestCase): void {
    this.running.add(test.name);
    this.drawProgress();
  }

  onTestCaseResult(test: TestCase): void {
    this.running.delete(test.name);
    const result = test.result();
    const meta = test.meta().check as CheckMeta | undefined;
    const durationMs = test.diagnostic()?.duration ?? 0;
    const state = result.state === 'pending' ? 'skipped' : result.state;
    const outcome: Outcome = { meta, name: test.name, state, durationMs };
    if (result.state === 'failed') outcome.message = result.errors.map((e) => e.message).join('\n');
    if (result.state === 'skipped') outcome.message = result.note;
    this.outcomes.push(outcome);
    this.clearProgress();
    const mark = state === 'passed' ? green('✓') : state === 'failed' ? red('✗') : yellow('↓');
    const points = meta ? dim(` [${meta.points} pt${meta.points === 1 ? '' : 's'}]`) : '';
    const time = state === 'skipped' ? '' : dim(` ${Math.round(durationMs)} ms`);
    process.stdout.write(`${mark} ${test.name}${points}${time}\n`);
    if (state === 'skipped' && outcome.message) process.stdout.write(dim(`    skipped: ${outcome.message}\n`));
    this.drawProgress();
  }

  private drawProgress(): void {
    if (!tty) return;
    const done = this.outcomes.length;
    const failed = this.outcomes.filter((o) => o.state === 'failed').length;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(0);
    const current = [...this.running][0] ?? '';
    const line = `${done}/${this.total || '?'} checks · ${failed ? red(`${failed} failed`) : green('0 failed')} · ${seconds}s ${dim(current.slice(0, 60))}`;
    process.stdout.write(`\r\x1b[2K${line}`);
    this.progressShown = true;
  }

  private clearProgress(): void {
    if (this.progressShown) process.stdout.write('\r\x1b[2K');
    this.progressShown = false;
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<{ message?: string }>): void {
    this.clearProgress();
    const failures = this.outcomes.filter((o) => o.state === 'failed');
    for (const f of failures) {
      process.stdout.write(`\n${red(bold('FAIL'))} ${bold(f.name)}\n`);
      if (f.meta?.cites) process.stdout.write(dim(`  Kubernetes: ${f.meta.cites}\n`));
      process.stdout.write((f.message ?? '').split('\n').map((l) => `  ${l}`).join('\n') + '\n');
    }
    for (const e of errors) process.stdout.write(`\n${red('error outside any check:')} ${e.message}\n`);
    const count = (s: string) => this.outcomes.filter((o) => o.state === s).length;
    const points = this.outcomes.reduce((sum, o) => sum + (o.state === 'passed' ? o.meta?.points ?? 0 : 0), 0);
    const maxPoints = this.outcomes.reduce((sum, o) => sum + (o.meta?.points ?? 0), 0);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stdout.write(`\n${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`);
    process.stdout.write(dim(`${points}/${maxPoints} points · ${seconds} s\n`));
  }
}
