// The lessons of the course, in site order: labs/00-setup (a README with no
// lab.yaml, when present), then every lab folder with a lab.yaml, by folder
// name (00-api, 01-pods, …). Folders with neither are not lessons.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readLabs, type LabDefinition } from '../../conformance/grading/lab-files.ts';

export interface Lesson {
  /** The lab folder, e.g. `01-pods`; the page is `<folder>.html`. */
  folder: string;
  page: string;
  /** The lesson text (absolute path), when the folder has a README.md. */
  readme?: string;
  /** The lesson for messages, e.g. labs/01-pods/README.md. */
  where: string;
  /** The lab.yaml, for graded labs (the setup page has none). */
  lab?: LabDefinition;
  title: string;
}

const SETUP = '00-setup';

/** The first line's `# title`, if the README starts with one. */
export function readmeTitle(markdown: string): string | undefined {
  return /^#\s+(.+?)\s*#*\s*$/m.exec(markdown.split('\n', 1)[0])?.[1];
}

function lesson(labsDir: string, folder: string, lab?: LabDefinition): Lesson {
  const readme = join(labsDir, folder, 'README.md');
  const has = existsSync(readme);
  const title = (has && readmeTitle(readFileSync(readme, 'utf8'))) || lab?.title || folder;
  const where = `${basename(labsDir)}/${folder}/${has ? 'README.md' : 'lab.yaml'}`;
  return { folder, page: `${folder}.html`, readme: has ? readme : undefined, where, lab, title };
}

export function readLessons(labsDir: string): Lesson[] {
  const lessons: Lesson[] = [];
  if (existsSync(join(labsDir, SETUP, 'README.md')) && !existsSync(join(labsDir, SETUP, 'lab.yaml'))) {
    lessons.push(lesson(labsDir, SETUP));
  }
  for (const lab of readLabs(labsDir)) lessons.push(lesson(labsDir, lab.folder, lab));
  return lessons;
}
