// The controller manager's --controllers flag, as kube-controller-manager reads it.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CONTROLLERS, selectControllers } from '../../reference/src/controller-manager/controllers.ts';

describe('--controllers', () => {
  const all = Object.keys(CONTROLLERS);

  it('"*" turns on every controller', () => {
    expect(selectControllers('*')).toEqual(all);
  });

  it('"-name" turns one off, by its full name or its short one', () => {
    expect(selectControllers('*,-replicaset')).toEqual(all.filter((n) => n !== 'replicaset-controller'));
    expect(selectControllers('*,-replicaset-controller')).toEqual(all.filter((n) => n !== 'replicaset-controller'));
  });

  it('names alone turn on only those', () => {
    expect(selectControllers('replicaset')).toEqual(['replicaset-controller']);
    expect(selectControllers('')).toEqual([]);
  });

  it('an unknown name is an error that lists the known ones', () => {
    expect(() => selectControllers('*,-replicaz')).toThrow(/unknown controller "-replicaz"; known: .*replicaset-controller/);
  });

  it('the process refuses an unknown controller with exit status 2 and says why', () => {
    const run = spawnSync(process.execPath, ['reference/launch.mjs', 'reference/src/controller-manager/main.ts', '--controllers=nope'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown controller "nope"');
  });
});
