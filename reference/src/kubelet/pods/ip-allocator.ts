// Pod IPs from the node's pod CIDR: what a CNI plugin's IPAM does for Kubernetes
// (host-local, much reduced).
//
// In 127.200.1.0/24 the usable addresses are .2 to .254: .0 names the network,
// .1 is kept for the gateway by convention, .255 is the broadcast address.
// Addresses are handed out round-robin, as host-local does, so an address that
// was just released (its old connections may still linger) is the last to come
// back.

function toNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function toAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class IpAllocator {
  private readonly first: number;
  private readonly last: number;
  /** ip → who holds it (a pod uid). */
  private readonly used = new Map<string, string>();
  private next: number;

  constructor(readonly cidr: string) {
    const [base, bits] = cidr.split('/');
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 30) throw new Error(`pod CIDR ${cidr}: the prefix must be between /0 and /30`);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(toNumber(base) / size) * size;
    this.first = network + 2;
    this.last = network + size - 2;
    this.next = this.first;
  }

  contains(ip: string): boolean {
    try {
      const n = toNumber(ip);
      return n >= this.first && n <= this.last;
    } catch {
      return false;
    }
  }

  /**
   * An address for owner. The preferred one (the pod's IP from its status, after
   * an agent restart) is kept when it is in the range and free; the owner's own
   * address is returned again if it has one.
   */
  allocate(owner: string, preferred?: string): string {
    for (const [ip, holder] of this.used) if (holder === owner) return ip;
    if (preferred && this.contains(preferred) && !this.used.has(preferred)) {
      this.used.set(preferred, owner);
      return preferred;
    }
    const count = this.last - this.first + 1;
    for (let i = 0; i < count; i++) {
      const n = this.next;
      this.next = n >= this.last ? this.first : n + 1;
      const ip = toAddress(n);
      if (!this.used.has(ip)) {
        this.used.set(ip, owner);
        return ip;
      }
    }
    throw new Error(`no IP addresses left in the pod CIDR ${this.cidr} (${count} in use)`);
  }

  release(ip: string): void {
    this.used.delete(ip);
  }

  get inUse(): number {
    return this.used.size;
  }
}
