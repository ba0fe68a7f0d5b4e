// Which cluster a check runs on, and when. Most checks only create objects in a
// namespace of their own and wait for controllers and containers: any number of
// them can share one cluster, and on two cores that costs little, since they
// mostly wait. A check that disrupts the cluster (kills a node, restarts the
// control plane) or changes what every check sees (a node's labels, taints or
// cordon; the set of nodes) needs a cluster to itself, or the checks beside it
// would fail for its sake. So every check holds a lease while it runs:
//
// - shared: the main cluster (index 0), alongside any other shared lease;
// - exclusive: a cluster of its own. Where the harness can start clusters, that
//   is one of the extra clusters the pool starts when an exclusive check first
//   asks (up to a limit), one exclusive check at a time on each: the disruptions
//   then run beside the shared checks instead of stopping them. Where it cannot
//   (a cluster reached through a kubeconfig, a limit of one cluster), it is the
//   main cluster once no shared lease holds it; while an exclusive check waits
//   for it, no new shared lease is given, so that it is not put off forever
//   (a reader-writer lock that prefers writers).
//
// Shared leases are bounded too (`sharedLimit`): each check adds its requests
// and watches to the main cluster's API server, and past a point more checks at
// once only make each one slower, until their timeouts run out on a busy machine.
// When the main cluster has as many as that, an extra cluster that no exclusive
// check holds or waits for takes shared checks as well (up to the same bound),
// and an exclusive check that then wants it waits for them to finish.
//
// When the run knows that exclusive checks will come (the CLI counts their files),
// it starts extra clusters at once (`prestart`), while the workers load, instead of
// when the first exclusive check asks: that was 7–11 s into a whole run, and the
// exclusive checks are the run's longest chain. Such a cluster takes no shared
// check until an exclusive one has had it, so that it is free when they come.
//
// Leases are handed out in the order they were asked for, among those that can
// be given now.

export type LeaseMode = 'shared' | 'exclusive';

export interface Lease<C> {
  /** 0 for the main cluster, 1… for the extra ones. */
  index: number;
  cluster: C;
  release(): void;
}

interface Member<C> {
  index: number;
  cluster: C;
  shared: number;
  exclusive: boolean;
  /** Started ahead for exclusive checks (prestart): no shared check until one of them has had it. */
  reserved: boolean;
}

interface Waiter<C> {
  mode: LeaseMode;
  grant: (lease: Lease<C>) => void;
}

export interface ExtraClusters<C> {
  /** How many clusters besides the main one the pool may start (0: never). */
  limit: number;
  /** Starts extra cluster number `index` (1, 2, …). */
  start(index: number): Promise<C>;
  /** Told when an extra cluster could not start; exclusive checks then take turns on the clusters there are. */
  onStartFailed?(index: number, err: Error): void;
}

export class ClusterPool<C> {
  private readonly members: Member<C>[];
  private waiters: Waiter<C>[] = [];
  private starting = 0;
  private limit: number;

  constructor(
    main: C,
    private readonly extra: ExtraClusters<C> = { limit: 0, start: () => Promise.reject(new Error('no extra clusters')) },
    /** How many shared leases at once, at most. */
    private readonly sharedLimit = Infinity,
  ) {
    this.members = [{ index: 0, cluster: main, shared: 0, exclusive: false, reserved: false }];
    this.limit = extra.limit;
  }

  /** Every cluster started so far, the main one first. */
  get clusters(): C[] {
    return this.members.map((m) => m.cluster);
  }

  /** Resolves once the check may run; `cancel` withdraws a request not yet granted (the asker went away). */
  acquire(mode: LeaseMode): { lease: Promise<Lease<C>>; cancel(): void } {
    let waiter!: Waiter<C>;
    const lease = new Promise<Lease<C>>((grant) => {
      waiter = { mode, grant };
    });
    this.waiters.push(waiter);
    this.pump();
    return { lease, cancel: () => this.cancel(waiter) };
  }

  private cancel(waiter: Waiter<C>): void {
    this.waiters = this.waiters.filter((w) => w !== waiter);
    this.pump();
  }

  /** Exclusive checks go to extra clusters when there may be any; else they take turns with the shared ones on the main cluster. */
  private get usesExtras(): boolean {
    return this.limit > 0;
  }

  private pump(): void {
    const main = this.members[0];
    let writerWaitsForMain = false;
    const exclusiveWaits = this.waiters.some((w) => w.mode === 'exclusive');
    for (const waiter of [...this.waiters]) {
      let member: Member<C> | undefined;
      if (waiter.mode === 'shared') {
        if (!main.exclusive && !writerWaitsForMain && main.shared < this.sharedLimit) member = main;
        // The main cluster is full: an extra cluster that no exclusive check holds or
        // waits for takes shared checks too, rather than sit idle once the disruptions are done.
        else if (this.usesExtras && !exclusiveWaits) member = this.members.find((m) => m.index > 0 && !m.exclusive && !m.reserved && m.shared < this.sharedLimit);
      } else if (this.usesExtras) {
        member = this.members.find((m) => m.index > 0 && !m.exclusive && m.shared === 0);
      } else if (!main.exclusive && main.shared === 0) {
        member = main;
      } else {
        writerWaitsForMain = true;
      }
      if (member) this.grant(waiter, member);
    }
    this.startExtrasIfNeeded();
  }

  private grant(waiter: Waiter<C>, member: Member<C>): void {
    this.waiters = this.waiters.filter((w) => w !== waiter);
    if (waiter.mode === 'shared') {
      member.shared++;
    } else {
      member.exclusive = true;
      member.reserved = false;
    }
    let released = false;
    waiter.grant({
      index: member.index,
      cluster: member.cluster,
      release: () => {
        if (released) return;
        released = true;
        if (waiter.mode === 'shared') member.shared--;
        else member.exclusive = false;
        this.pump();
      },
    });
  }

  /**
   * Starts extra clusters before any check asks (up to `count` in all, within the
   * limit), when the caller knows exclusive checks will come: they are then ready
   * when the first one asks, rather than starting only then.
   */
  prestart(count: number): void {
    this.startExtras(count - (this.members.length - 1) - this.starting, true);
  }

  /** One more extra cluster for each exclusive check still waiting, up to the limit. */
  private startExtrasIfNeeded(): void {
    this.startExtras(this.waiters.filter((w) => w.mode === 'exclusive').length - this.starting);
  }

  private startExtras(more: number, reserved = false): void {
    if (!this.usesExtras) return;
    for (; more > 0 && this.members.length - 1 + this.starting < this.limit; more--) {
      const index = this.members.length + this.starting;
      this.starting++;
      this.extra.start(index).then(
        (cluster) => {
          this.starting--;
          this.members.push({ index, cluster, shared: 0, exclusive: false, reserved });
          this.pump();
        },
        (err: Error) => {
          this.starting--;
          // No more extra clusters: those started go on serving; with none, the main cluster serves all.
          this.limit = this.members.length - 1;
          this.extra.onStartFailed?.(index, err);
          this.pump();
        },
      );
    }
  }
}
