// A small synthetic catalogue and lab for the grading tests: two steps, four checks.

import type { CatalogueEntry } from '../../conformance/grading/catalogue.ts';
import type { LabDefinition } from '../../conformance/grading/lab-files.ts';

export const CATALOGUE: CatalogueEntry[] = [
  { id: 'demo.run.starts', title: 'A pod starts', lab: 'demo', points: 3, file: 'conformance/checks/demo/run.check.ts' },
  { id: 'demo.run.serves', title: 'A pod serves HTTP', lab: 'demo', points: 2, file: 'conformance/checks/demo/run.check.ts' },
  { id: 'demo.nodes.lost', title: 'A lost node <is> "noticed" & tainted', lab: 'demo', points: 4, needs: ['kill-node'], file: 'conformance/checks/demo/nodes.check.ts' },
  { id: 'demo.nodes.back', title: 'A node comes back', lab: 'demo', points: 1, file: 'conformance/checks/demo/nodes.check.ts' },
];

export const LAB_YAML = `# a comment
name: demo
title: "Demo: run and lose pods"
steps:
  - id: run
    title: Run a pod
    points: 5
    checks: [demo.run.starts, demo.run.serves]
  - id: nodes
    title: Survive a lost node
    points: 5
    checks:
      - demo.nodes.lost
      - demo.nodes.back
`;

export const LAB: LabDefinition = {
  name: 'demo', title: 'Demo: run and lose pods', folder: '00-demo', file: 'labs/00-demo/lab.yaml',
  steps: [
    { id: 'run', title: 'Run a pod', points: 5, checks: ['demo.run.starts', 'demo.run.serves'] },
    { id: 'nodes', title: 'Survive a lost node', points: 5, checks: ['demo.nodes.lost', 'demo.nodes.back'] },
  ],
};
