// Writes every report of a grade into one folder (grade.json, junit.xml,
// summary.md, results.json) and appends summary.md to $GITHUB_STEP_SUMMARY when
// set, which GitHub Actions shows on the job's page.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grade } from '../scoring.ts';
import { gradescopeResults } from './gradescope.ts';
import { junitXml } from './junit.ts';
import { summaryMarkdown } from './summary-md.ts';

export const REPORT_FILES = ['grade.json', 'junit.xml', 'summary.md', 'results.json'] as const;

export function writeReports(grade: Grade, outDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  mkdirSync(outDir, { recursive: true });
  const summary = summaryMarkdown(grade);
  const files: Record<(typeof REPORT_FILES)[number], string> = {
    'grade.json': JSON.stringify(grade, null, 2) + '\n',
    'junit.xml': junitXml(grade),
    'summary.md': summary,
    'results.json': JSON.stringify(gradescopeResults(grade), null, 2) + '\n',
  };
  const written = Object.entries(files).map(([name, text]) => {
    writeFileSync(join(outDir, name), text);
    return join(outDir, name);
  });
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary);
  return written;
}
