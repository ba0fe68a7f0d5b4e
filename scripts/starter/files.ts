// The starter kit's own README and scripts (see generate.ts).

export interface LabTodo {
  lab: string;
  /** labs/NN-topic in the kubelab checkout, when one teaches it. */
  folder?: string;
  /** file:line of each TODO. */
  regions: string[];
}

/** A lab of labs/, in the order it is taken: the parts it teaches and the labs it builds on. */
export interface LabInOrder {
  lab: string;
  folder: string;
  /** The parts of the code it asks for (region names, e.g. scheduler and pods for the pods lab). */
  parts: string[];
  buildsOn: string[];
}

export function starterReadme(labs: LabTodo[], kept: string[], order: LabInOrder[]): string {
  const table = order.map(({ lab, folder, parts, buildsOn }) =>
    `| ${lab} | \`labs/${folder}\` | ${parts.join(', ') || 'nothing: it is complete'} | ${buildsOn.join(', ') || '-'} |`).join('\n');
  const todo = labs.map(({ lab, folder, regions }) => [
    `### ${lab}${folder ? ` (labs/${folder})` : ''}`,
    '',
    ...regions.map((r) => `- \`${r}\``),
    '',
  ].join('\n')).join('\n');
  return `# A kubelab starter implementation

This is a working orchestrator with holes in it. The API server is complete, and
so is most of the plumbing (clients, informers, work queues, the node agent's
process runtime, the proxy's sockets). What each lab asks you to write is
missing: in its place a \`TODO(lab <name>)\` throws, so that a lab you have not
done yet fails loudly, with that message in the component's log, instead of
doing nothing silently.

It was generated from the kubelab reference implementation with
\`kubelab starter\`${kept.length ? ` (keeping the code of: ${kept.join(', ')})` : ''}.

## Set up

You need Node.js 20.19 or later and a checkout of kubelab next to this folder
(the scripts look for \`../kubelab\`; set \`KUBELAB_HOME\` to use another).

\`\`\`sh
npm install            # the packages the orchestrator uses at run time
npm run typecheck      # tsc --noEmit: it type-checks from the start
npm run todo           # every TODO left, file by file
\`\`\`

## Work through the labs

Each lab's lesson is in the kubelab checkout, \`labs/NN-topic/\`. For each lab:

1. Read the lesson, then find its TODOs here (\`npm run todo\`, or the list
   below). Each sits where the code goes: keep the function's signature, write
   its body.
2. Run the lab's checks until they pass:
   \`npm run check -- --lab replicasets\` (or, from the kubelab checkout,
   \`npx kubelab conformance --impl ../my-starter --lab replicasets\`).
   A failure says what was expected, what was seen, and ends with the last
   lines of your components' logs.
3. Start your cluster and look at it with kubectl:
   from the kubelab checkout, \`npx kubelab up --impl ../my-starter\`.

## The order of the labs

Take the labs in the order of the \`labs/\` folders. Each builds on the ones
before it (\`builds-on\` in its \`lab.yaml\`): its checks need their code too,
so a lab's checks fail until the labs below it pass. A lab may ask for more
than one part of the code; a TODO names its part.

| lab | folder | the TODOs it asks for | builds on |
|---|---|---|---|
${table}

\`npm run grade\` (\`npx kubelab grade --impl .\` from the checkout) scores every
lab, step by step, into \`kubelab-grade/\` (\`summary.md\` is for you,
\`grade.json\` and \`junit.xml\` for tools).

## Keep a lab's code: \`--keep\`

An instructor who hands out a later lab first, or a student who wants to skip
one, generates the starter with that lab's code in place, as in the reference:

\`\`\`sh
npx kubelab starter --out ../my-starter --keep replicasets
\`\`\`

\`--keep\` keeps the lab's code and the code of every lab it builds on (here
pods and its scheduler), so that the lab's checks pass from the start and the
other labs' still fail. It names a lab (\`pods\`) or one part of one
(\`scheduler\`), and may be given several times.

## Layout

- \`kubelab.yaml\`: how the harness starts this implementation (the control
  plane, one process per node, the scheduler and the controller manager).
- \`src/\`: the orchestrator. \`src/apiserver\` and \`src/store\`: the API server;
  \`src/scheduler\`; \`src/controllers\` (run by \`src/controller-manager\`);
  \`src/kubelet\`: the node agent; \`src/proxy\`: Services.
- \`scripts/\`: \`check.sh\` and \`grade.sh\` run the kubelab checkout's grader on
  this folder, \`todo.sh\` lists what is left.

## What is left to write

${todo || 'Nothing: every lab\'s code is in place.\n'}`;
}

/** scripts/*.sh of the starter: small enough to read before running them. */
export function starterScripts(): Record<string, string> {
  const locate = `here="$(cd "$(dirname "$0")/.." && pwd)"
kubelab="\${KUBELAB_HOME:-$here/../kubelab}"
if [ ! -f "$kubelab/bin/kubelab.js" ]; then
  echo "no kubelab checkout at $kubelab: clone it there or set KUBELAB_HOME" >&2
  exit 2
fi
`;
  return {
    'check.sh': `#!/bin/sh
# Runs kubelab's conformance checks on this implementation; arguments go to
# \`kubelab conformance\`, e.g. scripts/check.sh --lab pods
set -e
${locate}cd "$kubelab" && exec node bin/kubelab.js conformance --impl "$here" "$@"
`,
    'grade.sh': `#!/bin/sh
# Grades this implementation lab by lab into ./kubelab-grade; arguments go to
# \`kubelab grade\`, e.g. scripts/grade.sh --lab replicasets
set -e
${locate}cd "$kubelab" && exec node bin/kubelab.js grade --impl "$here" --out "$here/kubelab-grade" "$@"
`,
    'todo.sh': `#!/bin/sh
# Lists the TODOs left, one line each.
cd "$(dirname "$0")/.."
grep -rn "// TODO(lab " src || echo "no TODO left: grade it (scripts/grade.sh)"
`,
  };
}
