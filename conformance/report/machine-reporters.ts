// Reporters for machines: one JSON document, or JUnit XML for CI systems. Both
// carry the same facts as the pretty reporter (id, lab, points, status, the
// failure message or the skip reason) and print nothing else, so the output can
// be piped or written to a file with --out. With --repeat N each check also
// carries how many of its runs passed (runs, passedRuns, passRate).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestModule } from 'vitest/node';
import { CollectingReporter, summarize, type CheckOutcome } from './outcomes.ts';

function emit(text: string, out?: string): void {
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  } else {
    process.stdout.write(text);
  }
}

export interface RunDescription {
  implementation: string;
  driver: string;
  /** The seed of any randomised input: `--seed` replays the run. */
  seed: number;
  /** How many times each check ran (--repeat). */
  repeat: number;
}

export class JsonReporter extends CollectingReporter {
  constructor(private readonly run: RunDescription, private readonly out?: string) {
    super();
    if (out) this.timelineDir = dirname(out); // failure timelines go beside the report
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<{ message?: string }>): void {
    const report = {
      kind: 'ConformanceReport',
      version: 1,
      ...this.run,
      startedAt: new Date(this.startedAt).toISOString(),
      durationMs: Date.now() - this.startedAt,
      summary: summarize(this.outcomes),
      checks: [...this.outcomes].sort((a, b) => a.id.localeCompare(b.id)),
      errors: errors.map((e) => e.message ?? String(e)),
    };
    emit(JSON.stringify(report, null, 2) + '\n', this.out);
  }
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters (terminal colour codes among them).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export class JunitReporter extends CollectingReporter {
  constructor(private readonly run: RunDescription, private readonly out?: string) {
    super();
    if (out) this.timelineDir = dirname(out); // failure timelines go beside the report
  }

  private testcase(o: CheckOutcome): string {
    const open = `    <testcase classname="${xml(o.lab)}" name="${xml(`${o.id}: ${o.title}`)}" time="${(o.durationMs / 1000).toFixed(3)}"`;
    // The pass rate of a repeated check, as JUnit test-case properties (which CI systems show).
    const properties = o.runs === undefined ? '' : `      <properties>\n${[['runs', o.runs], ['passedRuns', o.passedRuns], ['passRate', o.passRate]]
      .map(([name, value]) => `        <property name="${name}" value="${value}"/>\n`).join('')}      </properties>\n`;
    if (o.status === 'passed') return properties ? `${open}>\n${properties}    </testcase>` : `${open}/>`;
    if (o.status === 'skipped') return `${open}>\n      <skipped message="${xml(o.message ?? '')}"/>\n    </testcase>`;
    const first = (o.message ?? '').split('\n')[0];
    return `${open}>\n${properties}      <failure message="${xml(first)}">${xml(o.message ?? '')}</failure>\n    </testcase>`;
  }

  onTestRunEnd(): void {
    const labs = [...new Set(this.outcomes.map((o) => o.lab))].sort();
    const total = summarize(this.outcomes);
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(3);
    const suites = labs.map((lab) => {
      const checks = this.outcomes.filter((o) => o.lab === lab).sort((a, b) => a.id.localeCompare(b.id));
      const s = summarize(checks);
      return `  <testsuite name="${xml(lab)}" tests="${checks.length}" failures="${s.failed}" errors="0" skipped="${s.skipped}">\n${checks.map((c) => this.testcase(c)).join('\n')}\n  </testsuite>`;
    });
    const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- seed ${this.run.seed}: kubelab conformance --seed ${this.run.seed} replays it -->\n<testsuites name="kubelab conformance: ${xml(this.run.implementation)}" tests="${this.outcomes.length}" failures="${total.failed}" errors="0" skipped="${total.skipped}" time="${seconds}">\n${suites.join('\n')}\n</testsuites>\n`;
    emit(doc, this.out);
  }
}
