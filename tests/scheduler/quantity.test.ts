// Quantities as Kubernetes writes them: "100m" cpu, "128Mi" memory, and the rest.

import { describe, expect, it } from 'vitest';
import { milliCpu, parseQuantity, wholeUnits } from '../../reference/src/api/quantity.ts';
import { podRequests } from '../../reference/src/scheduler/framework.ts';

describe('quantity', () => {
  it('reads cpu in millicores', () => {
    expect(milliCpu('100m')).toBe(100);
    expect(milliCpu('1')).toBe(1000);
    expect(milliCpu('0.5')).toBe(500);
    expect(milliCpu('.1')).toBe(100);
    expect(milliCpu('2.25')).toBe(2250);
    expect(milliCpu(3)).toBe(3000);
    // Kubernetes rounds up to the next millicore.
    expect(milliCpu('1n')).toBe(1);
    expect(milliCpu('1500u')).toBe(2);
  });

  it('reads memory with binary, decimal and exponent suffixes', () => {
    expect(wholeUnits('128Mi')).toBe(128 * 1024 * 1024);
    expect(wholeUnits('1Gi')).toBe(2 ** 30);
    expect(wholeUnits('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(wholeUnits('64Ki')).toBe(65536);
    expect(wholeUnits('1G')).toBe(1e9);
    expect(wholeUnits('500M')).toBe(5e8);
    expect(wholeUnits('1k')).toBe(1000);
    expect(wholeUnits('1e9')).toBe(1e9);
    expect(wholeUnits('12E3')).toBe(12000);
    expect(wholeUnits('1048576')).toBe(1048576);
    expect(wholeUnits('110')).toBe(110);
  });

  it('refuses what is not a quantity', () => {
    expect(() => parseQuantity('lots')).toThrow(/invalid quantity "lots"/);
    expect(() => parseQuantity('1KB')).toThrow(/unknown suffix "KB"/);
    expect(() => parseQuantity('')).toThrow();
  });
});

describe('podRequests', () => {
  const container = (cpu?: string, memory?: string, extra: object = {}) => ({
    name: 'c', image: 'i', resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } }, ...extra,
  });
  const pod = (spec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });

  it('adds up containers', () => {
    expect(podRequests(pod({ containers: [container('100m', '64Mi'), container('250m', '64Mi')] }))).toEqual({ milliCpu: 350, memory: 128 * 2 ** 20 });
  });

  it('takes an init container alone when it needs more than the containers together', () => {
    const r = podRequests(pod({ containers: [container('100m', '64Mi')], initContainers: [container('1', '32Mi')] }));
    expect(r).toEqual({ milliCpu: 1000, memory: 64 * 2 ** 20 });
  });

  it('adds sidecars to the containers, and counts them beside later init containers', () => {
    const r = podRequests(pod({
      containers: [container('100m')],
      initContainers: [container('200m', undefined, { restartPolicy: 'Always' }), container('250m')],
    }));
    // containers + sidecar = 300m; the init container runs beside the sidecar: 450m.
    expect(r.milliCpu).toBe(450);
  });

  it('uses the limit when only a limit is given, and adds the overhead', () => {
    const r = podRequests(pod({ containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '500m', memory: '1Gi' } } }], overhead: { cpu: '50m' } }));
    expect(r).toEqual({ milliCpu: 550, memory: 2 ** 30 });
  });

  it('counts containers without requests as 100m and 200Mi only for scoring', () => {
    const p = pod({ containers: [{ name: 'c', image: 'i' }] });
    expect(podRequests(p)).toEqual({ milliCpu: 0, memory: 0 });
    expect(podRequests(p, true)).toEqual({ milliCpu: 100, memory: 200 * 2 ** 20 });
  });
});
