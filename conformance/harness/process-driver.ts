// The process driver: starts an implementation from its kubelab.yaml, the way
// kind or kubeadm would start Kubernetes, and breaks it on purpose when asked.
//
// It picks addresses, ports and folders, makes the certificates and the
// kubeconfig, starts the control plane with the contract's environment, waits
// for /readyz, starts the components and the nodes, and waits for the nodes to
// be Ready. stop() ends every process it started, whatever happened before.
//
// Every phase is bounded (start-up by readyTimeoutMs, shutdown by a grace then
// SIGKILL), and an error names the phase that failed ("start-up: node node-2
// exited …"), why, and the last lines of the process concerned: a student's
// implementation may crash, hang or never become ready, and the grader must
// say so rather than hang.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readContract, type Contract, type ProcessSpec } from './contract.ts';
import { ensurePki } from './pki.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { freePort, portIsFree } from './ports.ts';
import { ManagedProcess, type LogLine } from './managed-process.ts';
import { waitForApiReady, waitForNodeBack, waitForReadyNodes } from './readiness.ts';
import { killContainer, type ContainerRef } from './kill-container.ts';
import { startedOrStopped, type Capability, type Cluster } from './cluster.ts';

const PROFILES_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));
/** The lab image catalogue belongs to the suite: every implementation runs the same images. */
const IMAGES_DIR = fileURLToPath(new URL('../images/', import.meta.url));
/**
 * The reference's node simulator (reference/src/simulator/): whatever the
 * implementation, simulated nodes are this program, an API client of its API server.
 */
const SIMULATOR = fileURLToPath(new URL('../../reference/src/simulator/main.ts', import.meta.url));
/** Starts a reference program from its TypeScript source, bundled once (reference/launch.mjs). */
const LAUNCHER = fileURLToPath(new URL('../../reference/launch.mjs', import.meta.url));
const KUBELAB_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const DEFAULT_NODES = 3;

export interface ProcessClusterOptions {
  implDir: string;
  /** Certificates, kubeconfig, the control plane's data, node folders and logs go here. */
  dataDir: string;
  /** Node processes to start (default: 3 when the implementation has a node command, else 0). */
  nodes?: number;
  /** Nodes simulated by one more process, the reference's node simulator (default: none). */
  simulatedNodes?: number;
  host?: string;
  /** API port; default: a free one. */
  port?: number;
  /** fast, real, or the path of a profile file. */
  profile?: string;
  /** Store for implementations that offer a choice (the reference: sqlite, memory, etcd://…). */
  store?: string;
  /** How long to wait for /readyz and for Ready nodes. */
  readyTimeoutMs?: number;
  onLine?: (line: LogLine) => void;
}

export function profilePath(profile: string): string {
  if (profile === 'fast' || profile === 'real') return join(PROFILES_DIR, `${profile}.json`);
  return resolve(profile);
}

/**
 * Where a cluster's addresses live inside 127.0.0.0/8, picked at random once per
 * data folder so that clusters side by side (a student's and the suite's) do not
 * collide, and kept so that a restarted cluster keeps its addresses:
 * - node i listens on 127.<nodes>.<i>.1,
 * - node i's pods get 127.<pods>.<i>.0/24,
 * - Services get 127.<services>.0.0/16.
 */
export interface AddressPlan {
  nodes: number;
  pods: number;
  services: number;
}

export function pickAddressPlan(): AddressPlan {
  const pick = (from: number, to: number) => from + Math.floor(Math.random() * (to - from + 1));
  return { nodes: pick(1, 63), services: pick(64, 127), pods: pick(128, 254) };
}

export function nodeAddress(plan: AddressPlan, index: number): string {
  return `127.${plan.nodes}.${index}.1`;
}

export function podCidr(plan: AddressPlan, index: number): string {
  return `127.${plan.pods}.${index}.0/24`;
}

function readOrCreate(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}

export class ProcessCluster implements Cluster {
  readonly driver = 'process';
  apiUrl = '';
  token = '';
  caPem = '';
  kubeconfig = '';
  nodes: string[] = [];
  /** How many simulated nodes the simulator process registers (their names: sim-node-1 …). */
  simulatedNodes = 0;
  components: string[] = [];
  provides: Capability[] = [];
  profile: Record<string, unknown> = {};
  implementation = '';
  /** What went wrong while stopping ("shutdown: node-1 ignored SIGTERM, killed after 5 s"), filled by stop(). */
  shutdownProblems: string[] = [];

  private contract!: Contract;
  private controlPlane!: ManagedProcess;
  private componentProcesses = new Map<string, ManagedProcess>();
  private nodeProcesses = new Map<string, ManagedProcess>();
  private simulator?: ManagedProcess;
  private baseEnv: Record<string, string> = {};
  private nodeEnv = new Map<string, Record<string, string>>();
  private readonly dataDir: string;

  constructor(private readonly options: ProcessClusterOptions) {
    this.dataDir = resolve(options.dataDir);
  }

  static async start(options: ProcessClusterOptions): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(options);
    return startedOrStopped(cluster, () => cluster.boot());
  }

  private async boot(): Promise<void> {
    const { options } = this;
    this.contract = readContract(options.implDir);
    this.implementation = this.contract.name;
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (await freePort(host));
    if (!(await portIsFree(port, host))) throw new Error(`port ${port} on ${host} is in use: stop what holds it or choose another with --port`);
    for (const dir of ['pki', 'logs', 'control-plane', 'nodes']) mkdirSync(join(this.dataDir, dir), { recursive: true });

    const pki = await ensurePki(join(this.dataDir, 'pki'), [host, 'localhost', '127.0.0.1']);
    this.token = readOrCreate(join(this.dataDir, 'pki', 'token'), () => randomBytes(24).toString('hex'));
    const plan: AddressPlan = JSON.parse(readOrCreate(join(this.dataDir, 'addresses.json'), () => JSON.stringify(pickAddressPlan())));
    const serviceCidr = `127.${plan.services}.0.0/16`;
    this.apiUrl = `https://${host}:${port}`;
    this.caPem = pki.caPem;
    this.kubeconfig = join(this.dataDir, 'kubeconfig');
    writeKubeconfig(this.kubeconfig, { server: this.apiUrl, caPem: pki.caPem, token: this.token });
    const profileFile = profilePath(options.profile ?? 'fast');
    this.profile = JSON.parse(readFileSync(profileFile, 'utf8'));

    this.baseEnv = {
      KUBELAB_API_PORT: String(port),
      KUBELAB_API_URL: this.apiUrl,
      KUBELAB_TOKEN: this.token,
      KUBELAB_CA_FILE: pki.caFile,
      KUBELAB_SERVICE_CIDR: serviceCidr,
      KUBELAB_NODEPORT_RANGE: '30000-32767',
      KUBELAB_PROFILE: profileFile,
      // Node's own TLS client (fetch, https) trusts the cluster CA in every child process.
      NODE_EXTRA_CA_CERTS: pki.caFile,
    };
    const controlPlaneEnv = {
      ...this.baseEnv,
      KUBELAB_TLS_CERT: pki.certFile,
      KUBELAB_TLS_KEY: pki.keyFile,
      KUBELAB_DATA_DIR: join(this.dataDir, 'control-plane'),
      ...(options.store ? { KUBELAB_STORE: options.store } : {}),
    };
    this.controlPlane = this.makeProcess('control-plane', this.contract.controlPlane, controlPlaneEnv);
    this.controlPlane.start();
    await this.waitForReady('start-up');

    for (const [name, spec] of Object.entries(this.contract.components)) {
      const proc = this.makeProcess(name, spec, { ...controlPlaneEnv, KUBELAB_COMPONENT: name });
      this.componentProcesses.set(name, proc);
      proc.start();
    }
    this.components = [...this.componentProcesses.keys()];

    // Unless told otherwise: three nodes, or none for an implementation that has no node agent yet.
    const nodeCount = options.nodes ?? (this.contract.node ? DEFAULT_NODES : 0);
    if (nodeCount > 0 && !this.contract.node) throw new Error(`${this.contract.dir}/kubelab.yaml has no "node" command, but ${nodeCount} nodes were asked for`);
    for (let i = 1; i <= nodeCount; i++) {
      const name = `node-${i}`;
      const nodeDir = join(this.dataDir, 'nodes', name);
      mkdirSync(nodeDir, { recursive: true });
      this.nodeEnv.set(name, {
        ...this.baseEnv,
        KUBELAB_NODE_NAME: name,
        KUBELAB_NODE_IP: nodeAddress(plan, i),
        KUBELAB_POD_CIDR: podCidr(plan, i),
        KUBELAB_NODE_DIR: nodeDir,
        KUBELAB_IMAGES: IMAGES_DIR,
      });
      await this.startNode(name);
    }
    this.nodes = [...this.nodeProcesses.keys()];
    if (nodeCount > 0) await this.waitForReadyNodes(nodeCount);
    if (options.simulatedNodes) await this.startSimulator(options.simulatedNodes, nodeCount);

    this.provides = ['restart-control-plane', 'crash-control-plane', 'stop-control-plane'];
    if (this.components.length) this.provides.push('stop-component');
    if (nodeCount > 0) this.provides.push('kill-node', 'stop-node', 'restart-node', 'kill-container');
  }

  /**
   * Starts the node simulator for count nodes beside the real ones and waits
   * until all of them are Ready (a longer wait for thousands of nodes).
   * start() calls it for `simulatedNodes`; a test may call it on a running cluster.
   */
  async startSimulator(count: number, realNodes = this.nodes.length): Promise<void> {
    this.simulator = new ManagedProcess('simulator', ['node', LAUNCHER, SIMULATOR], {
      cwd: KUBELAB_ROOT, env: { ...this.baseEnv, KUBELAB_SIMULATED_NODES: String(count) },
      logFile: join(this.dataDir, 'logs', 'simulator.log'), onLine: this.options.onLine,
    });
    this.simulator.start();
    this.simulatedNodes = count;
    const simulator = this.simulator;
    await waitForReadyNodes(this, realNodes + count, [], {
      phase: 'start-up', timeoutMs: this.timeoutMs() + count * 20,
      failIfExited: () => this.failIfExited('start-up', [this.controlPlane, simulator]),
      tail: () => this.tailText(simulator),
    });
  }

  /** SIGTERM to the node simulator: its nodes stop renewing their Leases (and turn NotReady). */
  async stopSimulator(): Promise<void> {
    await this.simulator?.stop();
  }

  private makeProcess(name: string, spec: ProcessSpec, env: Record<string, string>): ManagedProcess {
    return new ManagedProcess(name, spec.command, {
      cwd: this.contract.dir, env: { ...env, ...spec.env }, logFile: join(this.dataDir, 'logs', `${name}.log`), onLine: this.options.onLine,
    });
  }

  private timeoutMs(): number {
    return this.options.readyTimeoutMs ?? 30_000;
  }

  /**
   * Waits for /readyz (readiness.ts), failing early if the control plane exits.
   * phase names what was going on in the error: start-up, or the disruption that restarted it.
   */
  private async waitForReady(phase: string): Promise<void> {
    await waitForApiReady(this, {
      phase, timeoutMs: this.timeoutMs(), failIfExited: () => this.failIfExited(phase, [this.controlPlane]), tail: () => this.tailText(this.controlPlane),
    });
  }

  /** Throws, naming the phase, the process and its last lines, if one of these processes has exited. */
  private async failIfExited(phase: string, processes: ManagedProcess[]): Promise<void> {
    const gone = processes.find((p) => !p.alive);
    if (!gone) return;
    await gone.waitForExit(); // its last lines may still be on their way
    const what = gone === this.controlPlane ? 'the control plane' : gone === this.simulator ? 'the node simulator'
      : this.nodeProcesses.get(gone.name) === gone ? `node ${gone.name}` : `component ${gone.name}`;
    throw new Error(`${phase}: ${what} exited (code ${gone.exitCode}) before the cluster was ready. Its last lines:\n${this.tailText(gone)}`);
  }

  private async waitForReadyNodes(count: number): Promise<void> {
    await waitForReadyNodes(this, count, [...this.nodeProcesses.keys()], {
      phase: 'start-up',
      timeoutMs: this.timeoutMs(),
      // A component that exits is left to the checks (an implementation may grade lab by lab); a node is not.
      failIfExited: () => this.failIfExited('start-up', [this.controlPlane, ...this.nodeProcesses.values()]),
      tail: (name) => this.tailText(this.node(name)),
    });
  }

  private tailText(proc: ManagedProcess, lines = 20): string {
    return proc.tail.slice(-lines).map((l) => `  ${l.text}`).join('\n') || '  (no output)';
  }

  logs(): LogLine[] {
    const all = [this.controlPlane, ...this.componentProcesses.values(), ...this.nodeProcesses.values(), this.simulator].filter((p): p is ManagedProcess => !!p);
    return all.flatMap((p) => p.tail).sort((a, b) => a.time - b.time);
  }

  /** Stops the control plane (SIGTERM) and starts it again on the same data. */
  async restartControlPlane(): Promise<void> {
    await this.controlPlane.stop();
    this.controlPlane.start();
    await this.waitForReady('restart-control-plane');
  }

  /** Kills the control plane (SIGKILL: a crash, nothing flushed or closed) and starts it again on the same data. */
  async crashControlPlane(): Promise<void> {
    await this.controlPlane.kill();
    this.controlPlane.start();
    await this.waitForReady('crash-control-plane');
  }

  /** Stops the control plane (SIGTERM) and leaves it down until startControlPlane. */
  async stopControlPlane(): Promise<void> {
    await this.controlPlane.stop();
  }

  async startControlPlane(): Promise<void> {
    if (!this.controlPlane.alive) this.controlPlane.start();
    await this.waitForReady('start-control-plane');
  }

  async stopComponent(name: string): Promise<void> {
    await this.component(name).stop();
  }

  async startComponent(name: string): Promise<void> {
    const proc = this.component(name);
    if (!proc.alive) proc.start();
  }

  private component(name: string): ManagedProcess {
    const proc = this.componentProcesses.get(name);
    if (!proc) throw new Error(`no component named ${name} (this implementation has: ${this.components.join(', ') || 'none'})`);
    return proc;
  }

  async startNode(name: string): Promise<void> {
    const env = this.nodeEnv.get(name);
    if (!env || !this.contract.node) throw new Error(`no node named ${name}`);
    let proc = this.nodeProcesses.get(name);
    if (!proc) {
      proc = this.makeProcess(name, this.contract.node, env);
      this.nodeProcesses.set(name, proc);
    }
    if (!proc.alive) proc.start();
  }

  private node(name: string): ManagedProcess {
    const proc = this.nodeProcesses.get(name);
    if (!proc) throw new Error(`no node named ${name} (this cluster has: ${this.nodes.join(', ') || 'none'})`);
    return proc;
  }

  /** The pid of a process this cluster started (control-plane, a component or a node), while it runs: for tests and diagnostics. */
  pidOf(name: string): number | undefined {
    const proc = name === 'control-plane' ? this.controlPlane : name === 'simulator' ? this.simulator : this.componentProcesses.get(name) ?? this.nodeProcesses.get(name);
    return proc?.alive ? proc.pid : undefined;
  }

  /** SIGKILL to the node process and everything it started, its containers too: a power cut. */
  async killNode(name: string): Promise<void> {
    await this.node(name).kill();
  }

  /** SIGSTOP: the agent hangs; its containers (their own process groups) keep running. */
  stopNode(name: string): void {
    this.node(name).pause();
  }

  resumeNode(name: string): void {
    this.node(name).resume();
  }

  /**
   * SIGTERM to the node process (it stops its containers), then starts it again
   * and waits for the new agent: its Lease renewed after the start, and the Node Ready.
   */
  async restartNode(name: string): Promise<void> {
    const proc = this.node(name);
    await proc.stop();
    const since = Date.now();
    proc.start();
    await this.waitForNodeBack(name, since);
  }

  private async waitForNodeBack(name: string, since: number): Promise<void> {
    await waitForNodeBack(this, name, since, { phase: 'restart-node', timeoutMs: this.timeoutMs(), tail: () => this.tailText(this.node(name)) });
  }

  /** SIGKILL to one container's process, found through its node agent's debug endpoint (kill-container.ts). */
  async killContainer(target: ContainerRef): Promise<void> {
    await killContainer(this, target);
  }

  /**
   * Ends everything this cluster started: nodes first, then components, then the control plane.
   * Bounded: each process gets a grace to go, then SIGKILL; shutdownProblems says which needed it.
   */
  async stop(): Promise<void> {
    const problems = [
      ...await Promise.all([...this.nodeProcesses.values(), ...(this.simulator ? [this.simulator] : [])].map((p) => p.stop())),
      ...await Promise.all([...this.componentProcesses.values()].map((p) => p.stop())),
      await this.controlPlane?.stop(),
    ];
    this.shutdownProblems.push(...problems.filter((p): p is string => !!p));
  }
}
