// `kubelab conformance`: run the checks against an implementation (or an
// existing cluster) and report them for a person (pretty) or a machine (json, junit).

import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { startVitest } from 'vitest/node';
import { PrettyReporter } from '../conformance/report/pretty-reporter.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ConformanceOptions {
  impl?: string;
  kubeconfig?: string;
  lab?: string;
  check?: string[];
  reporter: 'pretty' | 'json' | 'junit';
  out?: string;
  nodes: number;
  profile: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Check names are "<id>: <title>", and ids start with their lab: select by either. */
function namePattern(options: ConformanceOptions): string | undefined {
  if (options.check?.length) return `^(${options.check.map(escapeRegExp).join('|')}): `;
  if (options.lab) return `^${escapeRegExp(options.lab)}\\.`;
  return undefined;
}

export async function conformance(options: ConformanceOptions): Promise<number> {
  if (options.impl) process.env.KUBELAB_IMPL = resolve(options.impl);
  if (options.kubeconfig) process.env.KUBELAB_KUBECONFIG = resolve(options.kubeconfig);
  process.env.KUBELAB_NODES = String(options.nodes);
  process.env.KUBELAB_PROFILE_NAME = options.profile;

  const reporters: any[] = options.reporter === 'pretty' ? [new PrettyReporter()] : [options.reporter];
  const outputFile = options.out ? resolve(options.out) : undefined;
  const vitest = await startVitest('test', [], {
    root: REPO_ROOT,
    project: 'conformance',
    run: true,
    watch: false,
    reporters,
    outputFile,
    testNamePattern: namePattern(options),
    passWithNoTests: false,
  });
  const failed = vitest.state.getCountOfFailedTests() > 0 || process.exitCode === 1;
  await vitest.close();
  return failed ? 1 : 0;
}
