// Writes a failed check's timeline page, called by the reporters in the main
// process: the check's half comes with its result (TaskMeta.timeline), the
// harness's half (log lines, disruptions) from harnessRecord().
//
// One file per failed check, `timeline-<check id>.html`, so that each stays
// small and a rerun of one check replaces its own page. Where: beside the
// report (the folder of `--out FILE`, or grade's `--out DIR`), otherwise
// `.kubelab/reports/` under the current folder, where `kubelab up` keeps its state.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { harnessRecord, type CheckRecording } from './recording.ts';
import { renderTimeline } from './timeline-page.ts';

export const DEFAULT_TIMELINE_DIR = join('.kubelab', 'reports');

export function timelineFileName(checkId: string): string {
  return `timeline-${checkId.replace(/[^A-Za-z0-9._-]+/g, '_')}.html`;
}

/**
 * Writes the page and returns its path; undefined when the check recorded
 * nothing (it failed before its body ran) or the page could not be written
 * (a report must not be lost to its timeline: the reason goes to stderr).
 */
export function writeFailureTimeline(
  check: { id: string; title: string; cites?: string; message?: string },
  recording: CheckRecording | undefined,
  dir: string = DEFAULT_TIMELINE_DIR,
): string | undefined {
  if (!recording) return undefined;
  const record = harnessRecord(recording.cluster);
  const path = resolve(dir, timelineFileName(check.id));
  try {
    const html = renderTimeline({
      check, message: check.message ?? '', recording, logs: record.logs(), disruptions: record.disruptions(),
    });
    mkdirSync(resolve(dir), { recursive: true });
    writeFileSync(path, html);
    return path;
  } catch (err) {
    process.stderr.write(`kubelab: could not write the timeline of ${check.id}: ${(err as Error).message}\n`);
    return undefined;
  }
}
