// Pod IPs from the node's pod CIDR.

import { describe, expect, it } from 'vitest';
import { IpAllocator } from '../../reference/src/kubelet/pods/ip-allocator.ts';

describe('IpAllocator', () => {
  it('skips the network, .1 and the broadcast address', () => {
    const ips = new IpAllocator('127.200.3.0/24');
    expect(ips.allocate('a')).toBe('127.200.3.2');
    expect(ips.contains('127.200.3.0')).toBe(false);
    expect(ips.contains('127.200.3.1')).toBe(false);
    expect(ips.contains('127.200.3.254')).toBe(true);
    expect(ips.contains('127.200.3.255')).toBe(false);
    expect(ips.contains('127.200.4.2')).toBe(false);
  });

  it('hands out addresses round-robin, so a released one is not reused at once', () => {
    const ips = new IpAllocator('127.200.3.0/24');
    const a = ips.allocate('a');
    ips.allocate('b');
    ips.release(a);
    expect(ips.allocate('c')).toBe('127.200.3.4');
  });

  it('keeps a pod its address: the one it had (from its status), or the one it holds', () => {
    const ips = new IpAllocator('127.200.3.0/24');
    expect(ips.allocate('a', '127.200.3.77')).toBe('127.200.3.77');
    expect(ips.allocate('a')).toBe('127.200.3.77');
    expect(ips.allocate('b', '127.200.3.77')).not.toBe('127.200.3.77'); // taken
    expect(ips.allocate('c', '10.0.0.5')).toMatch(/^127\.200\.3\./); // not in the range
  });

  it('says so when the range is full, and accepts a non-aligned base', () => {
    const ips = new IpAllocator('127.200.3.9/29'); // .8/29: .10 to .14
    const got = ['a', 'b', 'c', 'd', 'e'].map((o) => ips.allocate(o));
    expect(got).toEqual(['127.200.3.10', '127.200.3.11', '127.200.3.12', '127.200.3.13', '127.200.3.14']);
    expect(() => ips.allocate('f')).toThrow(/no IP addresses left in the pod CIDR 127\.200\.3\.9\/29/);
    expect(ips.inUse).toBe(5);
  });
});
