// Reading a lab's README.md the way the lesson site and the try-it test see it
// (the format is described in labs/README.md):
//
//   ## Step 2: Run a pod            a step heading …
//   <!-- step: run -->              … and, on the next line, the lab.yaml step id
//   ```sh                           a block whose commands the try-it test runs
//   kubectl apply -f manifests/web.yaml
//   ```
//   <!-- code: reference/src/kubelet/pods/containers.ts#pods -->
//
// Only what lies outside fenced blocks counts as a heading or a marker.

export interface StepHeading {
  /** From `<!-- step: id -->`; undefined when the marker is missing. */
  id: string | undefined;
  /** The N of `## Step N:`. */
  number: number;
  title: string;
  /** 1-based line of the heading. */
  line: number;
}

export interface TryItCommand {
  /** The command as a shell gets it: continued lines keep their `\` and line break. */
  command: string;
  /** 1-based line where it starts. */
  line: number;
  /** The id of the step it belongs to; undefined before the first step. */
  step: string | undefined;
}

export interface CodeInclude {
  /** A path from the repository's root, e.g. reference/src/kubelet/pods/containers.ts. */
  path: string;
  lab: string;
  line: number;
}

/** A `kubelab conformance … --grep '<pattern>'` shown in a step: it should select that step's checks. */
export interface CheckSelection {
  pattern: string;
  line: number;
  step: string | undefined;
}

export interface LabReadme {
  title: string | undefined;
  steps: StepHeading[];
  commands: TryItCommand[];
  includes: CodeInclude[];
  selections: CheckSelection[];
}

const FENCE = /^\s*(```+|~~~+)\s*(.*)$/;
const STEP_HEADING = /^## Step (\d+): (.+)$/;
const STEP_MARKER = /^<!-- step: ([\w.-]+) -->$/;
const CODE_INCLUDE = /^<!-- code: (\S+)#([a-z-]+) -->$/;
const CHECK_SELECTION = /kubelab conformance .*--grep '([^']+)'/;

/** A block is run when its info string is `sh` without `norun` (`sh norun`, `text`, `yaml` are for reading). */
function isRunnable(info: string): boolean {
  const words = info.trim().split(/\s+/);
  return words[0] === 'sh' && !words.includes('norun');
}

/** The commands of one runnable block: every non-empty line not starting with `#`; a trailing `\` continues a line. */
function blockCommands(lines: { text: string; line: number }[], step: string | undefined): TryItCommand[] {
  const commands: TryItCommand[] = [];
  let pending: TryItCommand | undefined;
  for (const { text, line } of lines) {
    if (!pending && (text.trim() === '' || text.trim().startsWith('#'))) continue;
    // The backslash and the line break stay: the shell joins the lines itself, as in a terminal.
    const continues = text.endsWith('\\');
    if (pending) pending.command += `\n${text}`;
    else pending = { command: text, line, step };
    if (!continues) {
      commands.push(pending);
      pending = undefined;
    }
  }
  if (pending) commands.push(pending);
  return commands;
}

export function parseLabReadme(text: string): LabReadme {
  const lines = text.split('\n');
  const readme: LabReadme = { title: undefined, steps: [], commands: [], includes: [], selections: [] };
  let fence: { marker: string; runnable: boolean; body: { text: string; line: number }[] } | undefined;
  let step: string | undefined;

  lines.forEach((text, i) => {
    const line = i + 1;
    const fenceMatch = FENCE.exec(text);
    if (fence) {
      // A fence closes with the same kind of marker, at least as long, and nothing after it.
      if (fenceMatch && fenceMatch[1].startsWith(fence.marker) && fenceMatch[2].trim() === '') {
        if (fence.runnable) readme.commands.push(...blockCommands(fence.body, step));
        fence = undefined;
      } else {
        fence.body.push({ text, line });
        const selection = CHECK_SELECTION.exec(text);
        if (selection) readme.selections.push({ pattern: selection[1], line, step });
      }
      return;
    }
    if (fenceMatch) {
      fence = { marker: fenceMatch[1], runnable: isRunnable(fenceMatch[2]), body: [] };
      return;
    }
    if (line === 1 && text.startsWith('# ')) readme.title = text.slice(2).trim();
    const heading = STEP_HEADING.exec(text);
    if (heading) {
      const id = STEP_MARKER.exec(lines[i + 1] ?? '')?.[1];
      readme.steps.push({ id, number: Number(heading[1]), title: heading[2], line });
      step = id;
    }
    const include = CODE_INCLUDE.exec(text.trim());
    if (include) readme.includes.push({ path: include[1], lab: include[2], line });
  });
  if (fence) throw new Error(`a fenced block opened with ${fence.marker} is never closed`);
  return readme;
}
