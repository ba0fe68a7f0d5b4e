// `kubelab disrupt ACTION [TARGET]`: break a part of the cluster that
// `kubelab up` runs, as the conformance checks do, to watch Kubernetes heal.
// It asks the control endpoint `kubelab up` serves (its address and secret are
// in <data-dir>/control.json, control-file.ts); the cluster's harness does the
// rest: it owns the processes.

import type { Disruption } from '../conformance/harness/control-server.ts';
import { CONTROL_FILE, DATA_DIR_ENV, DEFAULT_DATA_DIR, findDataDir, readControl, type ControlAddress } from './control-file.ts';

/** What a disruption acts on. */
type TargetKind = 'node' | 'component' | 'pod' | 'none';

interface ActionInfo {
  target: TargetKind;
  /** One line for --help. */
  does: string;
  /** The line printed once done, from the target. */
  done: (target: string) => string;
}

/** Every action, in the order --help lists them. */
export const ACTIONS: Record<string, ActionInfo> = {
  'kill-node': { target: 'node', does: 'SIGKILL a node agent and its containers (a power cut); its Node goes NotReady', done: (n) => `killed node ${n} and its containers` },
  'start-node': { target: 'node', does: 'start a killed node agent again', done: (n) => `started node ${n}` },
  'stop-node': { target: 'node', does: 'SIGSTOP a node agent (it hangs; its containers run on)', done: (n) => `stopped node ${n}: its agent hangs, its containers run on` },
  'resume-node': { target: 'node', does: 'SIGCONT a stopped node agent', done: (n) => `resumed node ${n}` },
  'restart-node': { target: 'node', does: 'stop a node agent gracefully, start it again, wait until it is Ready', done: (n) => `restarted node ${n}; it is Ready` },
  'stop-component': { target: 'component', does: 'stop a control-plane component (scheduler, controller-manager)', done: (c) => `stopped ${c}` },
  'start-component': { target: 'component', does: 'start a stopped component again', done: (c) => `started ${c}` },
  'stop-control-plane': { target: 'none', does: 'stop the API server and keep it down', done: () => 'stopped the control plane' },
  'start-control-plane': { target: 'none', does: 'start the API server again and wait until it is ready', done: () => 'started the control plane; it is ready' },
  'restart-control-plane': { target: 'none', does: 'stop the API server gracefully and start it again on the same data', done: () => 'restarted the control plane; it is ready' },
  'crash-control-plane': { target: 'none', does: 'SIGKILL the API server (nothing flushed) and start it again on the same data', done: () => 'crashed and restarted the control plane; it is ready' },
  'kill-container': { target: 'pod', does: 'SIGKILL one container of a pod (needs -n NAMESPACE and -c CONTAINER)', done: (p) => `killed ${p}` },
};

const TARGET_NAME: Record<TargetKind, string> = { node: 'a node name (node-1)', component: 'a component name (scheduler)', pod: 'a pod name', none: '' };

/** A mistake on the command line, or a cluster that cannot do it: exit 2, with this message. */
export class DisruptError extends Error {}

export interface DisruptOptions {
  dataDir?: string;
  namespace?: string;
  container?: string;
}

/** The control endpoint's request for an action and its target; throws DisruptError for bad input. */
export function disruptionFor(action: string, target: string | undefined, options: DisruptOptions): Disruption {
  const info = ACTIONS[action];
  if (!info) throw new DisruptError(`unknown action "${action}"; one of: ${Object.keys(ACTIONS).join(', ')}`);
  if (info.target === 'none') {
    if (target) throw new DisruptError(`${action} takes no target, but got "${target}"`);
    return { action } as Disruption;
  }
  if (!target) throw new DisruptError(`${action} needs ${TARGET_NAME[info.target]}: kubelab disrupt ${action} NAME`);
  if (info.target === 'pod') {
    if (!options.namespace || !options.container) throw new DisruptError(`${action} needs the pod's namespace and the container: kubelab disrupt ${action} POD -n NAMESPACE -c CONTAINER`);
    return { action: 'kill-container', namespace: options.namespace, pod: target, container: options.container };
  }
  return { action, name: target } as Disruption;
}

/** The running cluster's control endpoint; throws DisruptError when there is none. */
function controlEndpoint(options: DisruptOptions): { address: ControlAddress; dataDir: string } {
  const dataDir = findDataDir(options.dataDir);
  const hint = `start one with \`npx kubelab up\` (or \`npm start\`), or say where it keeps its data: --data-dir DIR or ${DATA_DIR_ENV}=DIR`;
  if (!dataDir) throw new DisruptError(`no running cluster found: no ${DEFAULT_DATA_DIR}/${CONTROL_FILE} here or in a folder above; ${hint}`);
  const address = readControl(dataDir);
  if (!address) throw new DisruptError(`no running cluster in ${dataDir} (no ${CONTROL_FILE}); ${hint}`);
  return { address, dataDir };
}

/** Asks for the disruption and waits until it is done; returns the line to print. */
export async function disrupt(action: string, target: string | undefined, options: DisruptOptions): Promise<string> {
  const disruption = disruptionFor(action, target, options);
  const { address, dataDir } = controlEndpoint(options);
  let res: Response;
  try {
    res = await fetch(address.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${address.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(disruption),
    });
  } catch (err) {
    // A control.json left behind by a `kubelab up` that was killed: nothing listens any more.
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new DisruptError(`no running cluster in ${dataDir}: its control endpoint ${address.url} does not answer (${cause}); is \`kubelab up\` still running?`);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    const why = res.status === 403 ? 'the secret in control.json is not this cluster\'s (an old file?)' : body.error ?? `HTTP ${res.status}`;
    throw new DisruptError(`the cluster refused to ${action}${target ? ` ${target}` : ''}: ${why}`);
  }
  const what = disruption.action === 'kill-container' ? `container ${disruption.container} of pod ${disruption.namespace}/${disruption.pod}` : target ?? '';
  return ACTIONS[action].done(what);
}

/** The --help text after the options: every action, one line each. */
export function actionsHelp(): string {
  const width = Math.max(...Object.keys(ACTIONS).map((a) => a.length + 7));
  const lines = Object.entries(ACTIONS).map(([name, info]) => {
    const usage = info.target === 'none' ? name : info.target === 'pod' ? `${name} POD` : `${name} ${info.target.toUpperCase()}`;
    return `  ${usage.padEnd(width)}  ${info.does}`;
  });
  return [
    '',
    'Actions:',
    ...lines,
    '',
    `The cluster is the one \`kubelab up\` runs: its data folder is --data-dir, else $${DATA_DIR_ENV},`,
    `else the nearest ${DEFAULT_DATA_DIR} folder here or above. Examples:`,
    '  kubelab disrupt kill-node node-3',
    '  kubelab disrupt stop-component scheduler',
    '  kubelab disrupt kill-container web-1 -n lab-failures -c web',
  ].join('\n');
}
