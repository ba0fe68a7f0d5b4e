// The container runtime interface: what the node agent asks of whatever runs
// containers (Kubernetes' CRI, reduced to what the labs need).
//
// The agent decides *what* should run (from pod specs); the runtime only knows
// *how* to start, stop, inspect and read the output of one container. The
// process runtime (process-runtime.ts) runs each container as a child process;
// another runtime (real containers, or a simulated one) can take its place.

/** Everything needed to start one container, already resolved by the agent. */
export interface ContainerConfig {
  /** Unique per container instance: `<pod uid>/<container name>/<restart count>`. */
  id: string;
  podUid: string;
  podNamespace: string;
  podName: string;
  containerName: string;
  /** `kubelab/web:1`, as written in the pod spec. */
  image: string;
  /** Replaces the image's entrypoint when set (Kubernetes' `command`). */
  command?: string[];
  /** Replaces the image's default args when set (Kubernetes' `args`). */
  args?: string[];
  /** The folder to run in, already resolved through the mounts by the agent; unset: the image's folder. */
  workingDir?: string;
  /**
   * The process's whole environment, built by the agent in the catalogue's order (PATH, HOSTNAME,
   * KUBELAB_IMAGE_TAG, the image's env, the pod's envFrom and env resolved, KUBELAB_POD_IP, KUBELAB_MOUNTS).
   */
  env: Record<string, string>;
  /** The pod's IP inside the node's pod CIDR (within 127.0.0.0/8). */
  podIP: string;
  /** mountPath → the folder on this machine that backs it. */
  mounts: Record<string, string>;
  /** resources.limits.memory in bytes: above it the container is killed (OOMKilled). Unset: no limit. */
  memoryLimitBytes?: number;
}

/** The image the catalogue has for a name (ErrImagePull when it has none). */
export interface ImageInfo {
  name: string;
  tag: string;
  /** What the pod's status shows as imageID: `kubelab/web@sha256:<digest of image.json>`. */
  imageID: string;
  /** The folder the image's program lives in. */
  dir: string;
  entrypoint: string[];
  args: string[];
  env: Record<string, string>;
  ports: number[];
}

export type ContainerState =
  | { state: 'running'; pid: number; startedAt: string }
  | { state: 'exited'; exitCode: number; signal?: string; startedAt: string; finishedAt: string; reason: 'Completed' | 'Error' | 'OOMKilled' };

export interface LogOptions {
  /** Only the last N lines. */
  tailLines?: number;
  /** Prefix each line with its RFC 3339 timestamp. */
  timestamps?: boolean;
}

export class ImagePullError extends Error {
  constructor(readonly image: string, message: string) {
    super(message);
    this.name = 'ImagePullError';
  }
}

export interface ContainerRuntime {
  /** Resolves an image from the catalogue; throws ImagePullError if it is not there. */
  pullImage(image: string): Promise<ImageInfo>;
  /** Starts a container; resolves once its process is running. */
  startContainer(config: ContainerConfig, image: ImageInfo): Promise<void>;
  /** SIGTERM, then SIGKILL after graceSeconds; resolves when it has exited. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** The container's state now, or undefined for an unknown id. */
  containerState(id: string): ContainerState | undefined;
  /** Calls back when a container exits (crash, completion or stop). */
  onExit(listener: (id: string, state: ContainerState) => void): void;
  /** The container's output so far (stdout and stderr interleaved, as `kubectl logs` shows it). */
  readLogs(id: string, options?: LogOptions): Promise<string>;
  /** Follows the output: calls onLine for each new line until the returned function is called or the container exits. */
  followLogs(id: string, options: LogOptions, onLine: (line: string) => void, onEnd: () => void): () => void;
  /**
   * Runs a command inside a running container, with its environment and working
   * directory (CRI's ExecSync), for exec probes. Resolves with the exit code;
   * a command still running after timeoutMs is killed and reported as timedOut.
   */
  exec(id: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
  /** Forgets a container: its log and state (after the pod is gone). */
  removeContainer(id: string): Promise<void>;
  /** Stops every container (the agent is shutting down, or cleaning up after a crash). */
  shutdown(): Promise<void>;
}
