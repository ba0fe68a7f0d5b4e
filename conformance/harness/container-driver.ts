// The container driver: runs an implementation packaged as an image, the way
// kind runs Kubernetes nodes: the control plane, each component and each node
// in a container of its own, on a Docker network of their own, so that a grader
// can run untrusted code in isolation. Disruptions become what Docker does to a
// container: kill, start, pause, restart.
//
// Addresses (conformance/README.md, "The container driver"):
// - the network is a user-defined bridge, 10.X.Y.0/24; the control plane is .2
//   and answers to the name `control-plane` on it; components are .3…, node i is .(10+i);
// - the API server listens on its own address, port 6443 (KUBELAB_API_URL in its
//   container is https://10.X.Y.2:6443: the address the `kubernetes` Service points at);
//   components and nodes reach it as https://control-plane:6443;
// - the harness and the suite reach it through 127.0.0.1:<a free port>, published
//   by Docker; the serving certificate names control-plane, 10.X.Y.2, 127.0.0.1 and localhost;
// - pod and Service addresses stay inside 127.0.0.0/8 of each node's container, as in the
//   process runtime: the suite cannot reach them, and the checks that would need to skip.
//
// What the containers see: the CA and the timing profile (read-only, /kubelab/config),
// the serving certificate and key (control plane and components, /kubelab/pki),
// the lab image catalogue (nodes, /kubelab/images), and a volume for the control plane's
// data (/kubelab/data) that survives a kill and a restart of its container.
// Everything the driver makes carries its labels, and stop() removes it all.

import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { readContract, ContractError, type Contract, type ProcessSpec } from './contract.ts';
import { ensurePki } from './pki.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { freePort } from './ports.ts';
import { profilePath } from './process-driver.ts';
import { ensureImages, type BuiltImage } from './container-images.ts';
import { CLUSTER_LABEL, DRIVER_LABEL, createNetwork, removeLabelled, removeLabelledNow, runtimeClient } from './container-runtime.ts';
import { ContainerLog } from './container-logs.ts';
import { waitForApiReady, waitForNodeBack, waitForReadyNodes } from './readiness.ts';
import { listNodeContainers, type ContainerRef } from './kill-container.ts';
import type { LogLine } from './managed-process.ts';
import { startedOrStopped, type Capability, type Cluster } from './cluster.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const IMAGES_DIR = fileURLToPath(new URL('../images/', import.meta.url));
const API_PORT = 6443;
const CONTROL_PLANE_NAME = 'control-plane';
const DEFAULT_NODES = 3;
/** Seconds a container has between SIGTERM and SIGKILL when it is stopped or restarted. */
const STOP_GRACE_S = 5;

export interface ContainerClusterOptions {
  implDir: string;
  /** Certificates, the kubeconfig and the containers' logs go here. */
  dataDir: string;
  nodes?: number;
  /** fast, real, or the path of a profile file. */
  profile?: string;
  store?: string;
  /** How long to wait for /readyz and for Ready nodes (containers start slower than processes: 60 s). */
  readyTimeoutMs?: number;
  onLine?: (line: LogLine) => void;
}

type Role = 'control-plane' | 'component' | 'node';

/** One container of the cluster and its output. */
interface Part {
  name: string;
  role: Role;
  container: Dockerode.Container;
  log: ContainerLog;
}


export class ContainerCluster implements Cluster {
  readonly driver = 'container';
  apiUrl = '';
  token = '';
  caPem = '';
  kubeconfig = '';
  nodes: string[] = [];
  components: string[] = [];
  provides: Capability[] = [];
  profile: Record<string, unknown> = {};
  implementation = '';
  /** The images the run used, and whether each had to be built (for reports and timings). */
  images: BuiltImage[] = [];
  /** The label every container and network of this cluster carries (label=value). */
  clusterLabel = '';

  private docker!: Dockerode;
  private contract!: Contract;
  private readonly parts = new Map<string, Part>();
  private readonly dataDir: string;
  /** Removes the containers if the process exits before stop() (a run cut short). */
  private readonly onExit = () => removeLabelledNow(this.clusterLabel);

  constructor(private readonly options: ContainerClusterOptions) {
    this.dataDir = resolve(options.dataDir);
  }

  static async start(options: ContainerClusterOptions): Promise<ContainerCluster> {
    const cluster = new ContainerCluster(options);
    return startedOrStopped(cluster, () => cluster.boot());
  }

  private async boot(): Promise<void> {
    this.contract = readContract(this.options.implDir);
    this.implementation = this.contract.name;
    const spec = this.contract.container;
    if (!spec) throw new ContractError(join(this.contract.dir, 'kubelab.yaml'), 'the container driver needs a "container" section naming the image (see conformance/README.md, "The container driver")');
    this.images = await ensureImages(this.contract.dir, spec);

    this.docker = (await runtimeClient()).container.dockerode;
    const run = randomBytes(4).toString('hex');
    this.clusterLabel = `${CLUSTER_LABEL}=${run}`;
    process.once('exit', this.onExit);
    const labels = { [DRIVER_LABEL]: 'container', [CLUSTER_LABEL]: run };
    const networkName = `kubelab-${run}`;
    const { prefix } = await createNetwork(this.docker, networkName, labels);
    const controlPlaneIP = `${prefix}.2`;

    for (const dir of ['pki', 'config', 'logs']) mkdirSync(join(this.dataDir, dir), { recursive: true });
    const pki = await ensurePki(join(this.dataDir, 'pki'), [CONTROL_PLANE_NAME, controlPlaneIP, '127.0.0.1', 'localhost']);
    this.token = randomBytes(24).toString('hex');
    writeFileSync(join(this.dataDir, 'pki', 'token'), this.token, { mode: 0o600 });
    // What every container may read: the CA and the profile (never the CA's key).
    copyFileSync(pki.caFile, join(this.dataDir, 'config', 'ca.crt'));
    const profileFile = profilePath(this.options.profile ?? 'fast');
    copyFileSync(profileFile, join(this.dataDir, 'config', 'profile.json'));
    this.profile = JSON.parse(readFileSync(profileFile, 'utf8'));

    const hostPort = await freePort('127.0.0.1');
    this.apiUrl = `https://127.0.0.1:${hostPort}`;
    this.caPem = pki.caPem;
    this.kubeconfig = join(this.dataDir, 'kubeconfig');
    writeKubeconfig(this.kubeconfig, { server: this.apiUrl, caPem: pki.caPem, token: this.token });

    const pick = (from: number, to: number) => from + Math.floor(Math.random() * (to - from + 1));
    const baseEnv = {
      KUBELAB_API_PORT: String(API_PORT),
      KUBELAB_API_URL: `https://${CONTROL_PLANE_NAME}:${API_PORT}`,
      KUBELAB_TOKEN: this.token,
      KUBELAB_CA_FILE: '/kubelab/config/ca.crt',
      KUBELAB_SERVICE_CIDR: `127.${pick(64, 127)}.0.0/16`,
      KUBELAB_NODEPORT_RANGE: '30000-32767',
      KUBELAB_PROFILE: '/kubelab/config/profile.json',
      NODE_EXTRA_CA_CERTS: '/kubelab/config/ca.crt',
    };
    const controlPlaneEnv = {
      ...baseEnv,
      KUBELAB_TLS_CERT: '/kubelab/pki/apiserver.crt',
      KUBELAB_TLS_KEY: '/kubelab/pki/apiserver.key',
      KUBELAB_DATA_DIR: '/kubelab/data',
      ...(this.options.store ? { KUBELAB_STORE: this.options.store } : {}),
    };
    const common = { image: spec.image, workdir: spec.workdir, network: networkName, labels };
    const controlPlaneBinds = [`${join(this.dataDir, 'config')}:/kubelab/config:ro`, `${join(this.dataDir, 'pki')}:/kubelab/pki:ro`];

    // The API server listens on its own address on the network, which the `kubernetes` Service then names.
    await this.create({
      ...common, name: CONTROL_PLANE_NAME, role: 'control-plane', command: this.contract.controlPlane, ip: controlPlaneIP, alias: CONTROL_PLANE_NAME,
      env: { ...controlPlaneEnv, KUBELAB_API_URL: `https://${controlPlaneIP}:${API_PORT}` }, binds: controlPlaneBinds, publish: hostPort,
    });
    await this.startPart(this.part(CONTROL_PLANE_NAME));
    await this.waitForReady('start-up');

    let address = 3;
    for (const [name, componentSpec] of Object.entries(this.contract.components)) {
      await this.create({ ...common, name, role: 'component', command: componentSpec, ip: `${prefix}.${address++}`, env: { ...controlPlaneEnv, KUBELAB_COMPONENT: name }, binds: controlPlaneBinds });
      await this.startPart(this.part(name));
      this.components.push(name);
    }

    const nodeCount = this.options.nodes ?? (this.contract.node ? DEFAULT_NODES : 0);
    if (nodeCount > 0 && !this.contract.node) throw new Error(`${this.contract.dir}/kubelab.yaml has no "node" command, but ${nodeCount} nodes were asked for`);
    const pods = pick(128, 254);
    for (let i = 1; i <= nodeCount; i++) {
      const name = `node-${i}`;
      const ip = `${prefix}.${10 + i}`;
      await this.create({
        ...common, name, role: 'node', command: this.contract.node!, ip,
        env: { ...baseEnv, KUBELAB_NODE_NAME: name, KUBELAB_NODE_IP: ip, KUBELAB_POD_CIDR: `127.${pods}.${i}.0/24`, KUBELAB_NODE_DIR: '/kubelab/node', KUBELAB_IMAGES: '/kubelab/images' },
        binds: [`${join(this.dataDir, 'config')}:/kubelab/config:ro`, `${IMAGES_DIR}:/kubelab/images:ro`],
      });
      await this.startPart(this.part(name));
      this.nodes.push(name);
    }
    if (nodeCount > 0) {
      await waitForReadyNodes(this, nodeCount, this.nodes, {
        phase: 'start-up', timeoutMs: this.timeoutMs(), tail: (name) => this.part(name).log.tailText(),
        failIfExited: () => this.failIfExited('start-up', [CONTROL_PLANE_NAME, ...this.nodes]),
      });
    }

    this.provides = ['restart-control-plane', 'crash-control-plane', 'stop-control-plane'];
    if (this.components.length) this.provides.push('stop-component');
    if (nodeCount > 0) this.provides.push('kill-node', 'stop-node', 'restart-node', 'kill-container');
  }

  /** Creates (does not start) one container of the cluster, with a fixed address on the network. */
  private async create(c: {
    name: string; role: Role; image: string; workdir?: string; command: ProcessSpec; env: Record<string, string>;
    network: string; ip: string; alias?: string; labels: Record<string, string>; binds: string[]; publish?: number;
  }): Promise<void> {
    const [entrypoint, ...args] = c.command.command;
    const port = `${API_PORT}/tcp`;
    const container = await this.docker.createContainer({
      name: `${c.network}-${c.name}`,
      Hostname: c.name,
      Image: c.image,
      // The contract's command replaces whatever the image would run.
      Entrypoint: [entrypoint],
      Cmd: args,
      WorkingDir: c.workdir,
      Env: Object.entries({ ...c.env, ...c.command.env }).map(([k, v]) => `${k}=${v}`),
      Labels: { ...c.labels, 'dev.kubelab.part': c.name },
      ExposedPorts: c.publish ? { [port]: {} } : undefined,
      // An anonymous volume: kept across kill and start, removed with the container.
      Volumes: c.role === 'control-plane' ? { '/kubelab/data': {} } : undefined,
      HostConfig: {
        // A small init as PID 1: it passes SIGTERM on and reaps the processes a node agent starts.
        Init: true,
        Binds: c.binds,
        NetworkMode: c.network,
        PortBindings: c.publish ? { [port]: [{ HostIp: '127.0.0.1', HostPort: String(c.publish) }] } : undefined,
      },
      NetworkingConfig: { EndpointsConfig: { [c.network]: { IPAMConfig: { IPv4Address: c.ip }, Aliases: c.alias ? [c.alias] : [] } } },
    });
    const log = new ContainerLog(c.name, join(this.dataDir, 'logs', `${c.name}.log`), this.options.onLine);
    this.parts.set(c.name, { name: c.name, role: c.role, container, log });
  }

  private part(name: string, role?: Role): Part {
    const part = this.parts.get(name);
    if (!part || (role && part.role !== role)) {
      const have = [...this.parts.values()].filter((p) => !role || p.role === role).map((p) => p.name);
      throw new Error(`no ${role ?? 'container'} named ${name} (this cluster has: ${have.join(', ') || 'none'})`);
    }
    return part;
  }

  /** Starts a container and reads its output from now on. */
  private async startPart(part: Part): Promise<void> {
    const since = Date.now();
    await part.container.start();
    await part.log.follow(part.container, this.docker.modem, since);
  }

  private async running(part: Part): Promise<{ running: boolean; exitCode: number }> {
    const state = (await part.container.inspect()).State;
    return { running: state.Running, exitCode: state.ExitCode };
  }

  /** docker kill (SIGKILL), and wait until Docker sees the container stopped. */
  private async killPart(part: Part): Promise<void> {
    await part.container.kill().catch((err) => { if (!/is not running/.test(String(err))) throw err; });
    await part.container.wait({ condition: 'not-running' }).catch(() => undefined);
  }

  private async restartPart(part: Part): Promise<void> {
    await part.container.stop({ t: STOP_GRACE_S }).catch((err) => { if (!/already stopped|not modified/i.test(String(err))) throw err; });
    await this.startPart(part);
  }

  private timeoutMs(): number {
    return this.options.readyTimeoutMs ?? 60_000;
  }

  /** Throws, naming the phase, the container and its last lines, if one of these has stopped. */
  private async failIfExited(phase: string, names: string[]): Promise<void> {
    for (const name of names) {
      const part = this.part(name);
      const state = await this.running(part);
      if (state.running) continue;
      await sleep(300); // its last lines may still be on their way
      const what = part.role === 'control-plane' ? 'the control plane' : `${part.role} ${name}`;
      throw new Error(`${phase}: ${what} exited (code ${state.exitCode}) before the cluster was ready. Its last lines:\n${part.log.tailText()}`);
    }
  }

  private async waitForReady(phase: string): Promise<void> {
    const controlPlane = this.part(CONTROL_PLANE_NAME);
    await waitForApiReady(this, {
      phase, timeoutMs: this.timeoutMs(), tail: () => controlPlane.log.tailText(), failIfExited: () => this.failIfExited(phase, [CONTROL_PLANE_NAME]),
    });
  }

  logs(): LogLine[] {
    return [...this.parts.values()].flatMap((p) => p.log.tail).sort((a, b) => a.time - b.time);
  }

  /** docker stop (SIGTERM, then SIGKILL after a grace) and start on the same volume. */
  async restartControlPlane(): Promise<void> {
    await this.restartPart(this.part(CONTROL_PLANE_NAME));
    await this.waitForReady('restart-control-plane');
  }

  /** docker kill (SIGKILL: nothing flushed or closed) and start again on the same volume. */
  async crashControlPlane(): Promise<void> {
    const part = this.part(CONTROL_PLANE_NAME);
    await this.killPart(part);
    await this.startPart(part);
    await this.waitForReady('crash-control-plane');
  }

  async stopControlPlane(): Promise<void> {
    await this.part(CONTROL_PLANE_NAME).container.stop({ t: STOP_GRACE_S }).catch(() => undefined);
  }

  async startControlPlane(): Promise<void> {
    const part = this.part(CONTROL_PLANE_NAME);
    if (!(await this.running(part)).running) await this.startPart(part);
    await this.waitForReady('start-control-plane');
  }

  async stopComponent(name: string): Promise<void> {
    await this.part(name, 'component').container.stop({ t: STOP_GRACE_S }).catch(() => undefined);
  }

  async startComponent(name: string): Promise<void> {
    const part = this.part(name, 'component');
    if (!(await this.running(part)).running) await this.startPart(part);
  }

  /** docker kill: the node's agent and every pod process in its container die at once (a power cut). */
  async killNode(name: string): Promise<void> {
    await this.killPart(this.part(name, 'node'));
  }

  async startNode(name: string): Promise<void> {
    const part = this.part(name, 'node');
    if (!(await this.running(part)).running) await this.startPart(part);
  }

  /** docker pause (the cgroup freezer): the node hangs, its agent and its pods' processes with it. */
  async stopNode(name: string): Promise<void> {
    await this.part(name, 'node').container.pause();
  }

  async resumeNode(name: string): Promise<void> {
    await this.part(name, 'node').container.unpause();
  }

  /** docker stop and start, then wait for the new agent: its Lease renewed after the start, and the Node Ready. */
  async restartNode(name: string): Promise<void> {
    const part = this.part(name, 'node');
    const since = Date.now();
    await this.restartPart(part);
    await waitForNodeBack(this, name, since, { phase: 'restart-node', timeoutMs: this.timeoutMs(), tail: () => part.log.tailText() });
  }

  /**
   * SIGKILL to one container's process: found through the node agent's debug endpoint
   * (kill-container.ts), whose pid is one of the node container's, so the signal is sent
   * there, with `docker exec … kill -9` (the image needs a kill program: busybox has one).
   */
  async killContainer(target: ContainerRef): Promise<void> {
    const { node, endpoint, items } = await listNodeContainers(this, target);
    const found = items.find((c) => c.namespace === target.namespace && c.pod === target.pod && c.container === target.container);
    if (!found) throw new Error(`GET ${endpoint} (node ${node}) lists no running container ${target.container} of pod ${target.namespace}/${target.pod}`);
    if (!Number.isInteger(found.pid) || found.pid <= 1) throw new Error(`GET ${endpoint} gave pid ${found.pid} for ${target.container}, which is no container process`);
    const exec = await this.part(node, 'node').container.exec({ Cmd: ['kill', '-9', String(found.pid)], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    await new Promise((r) => { stream.on('end', r); stream.on('close', r); stream.resume(); });
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0) throw new Error(`kill -9 ${found.pid} in node ${node}'s container exited ${ExitCode}`);
  }

  /** Removes every container and the network of this cluster (by its label), whatever state they are in. */
  async stop(): Promise<void> {
    for (const part of this.parts.values()) part.log.close();
    if (this.docker && this.clusterLabel) await removeLabelled(this.docker, this.clusterLabel);
    process.off('exit', this.onExit);
  }
}

