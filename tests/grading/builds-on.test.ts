// `builds-on` in lab.yaml: the labs whose code a lab's checks need. The loader
// refuses an unknown lab and a cycle, and `kubelab starter --keep` keeps a lab's
// regions together with those of every lab below it.

import { describe, expect, it } from 'vitest';
import { labsBelow, parseLab, readLabs, validateBuildsOn, type LabDefinition } from '../../conformance/grading/lab-files.ts';
import { keepPlan, partsOf, teachingLab } from '../../scripts/starter/lab-order.ts';
import { LAB, LAB_YAML } from './fixtures.ts';

const FILE = 'labs/00-demo/lab.yaml';

/** A lab named `name` whose checks are `<part>.x.y` for each part. */
function lab(name: string, buildsOn?: string[], parts = [name]): LabDefinition {
  const folder = `0${name.length}-${name}`;
  return {
    name, title: name, folder, file: `labs/${folder}/lab.yaml`, buildsOn,
    steps: [{ id: 'only', title: 'only', points: 1, checks: parts.map((p) => `${p}.x.y`) }],
  };
}

describe('builds-on in lab.yaml', () => {
  it('is optional, and read as a list of lab names', () => {
    expect(parseLab(LAB_YAML, FILE, '00-demo').buildsOn).toBeUndefined();
    const withIt = LAB_YAML.replace('steps:', 'builds-on: [pods, api]\nsteps:');
    expect(parseLab(withIt, FILE, '00-demo')).toEqual({ ...LAB, buildsOn: ['pods', 'api'] });
  });

  it('refuses what is not a list of names, the lab itself and a name given twice', () => {
    const attempt = (value: string) => () => parseLab(LAB_YAML.replace('steps:', `builds-on: ${value}\nsteps:`), FILE, '00-demo');
    expect(attempt('pods')).toThrow(`${FILE}: builds-on must be a list of lab names, e.g. [pods]`);
    expect(attempt('[pods, 3]')).toThrow(`${FILE}: builds-on must be a non-empty string`);
    expect(attempt('[demo]')).toThrow(`${FILE}: lab "demo" builds on itself`);
    expect(attempt('[pods, pods]')).toThrow(`${FILE}: builds-on names "pods" twice`);
  });

  it('must name labs that exist', () => {
    expect(() => validateBuildsOn([lab('pods'), lab('replicasets', ['pod'])]))
      .toThrow('labs/011-replicasets/lab.yaml: builds-on names unknown lab "pod" (labs: pods, replicasets)');
  });

  it('must not make a cycle', () => {
    const labs = [lab('pods', ['services']), lab('replicasets', ['pods']), lab('services', ['replicasets'])];
    expect(() => validateBuildsOn(labs)).toThrow(/builds-on makes a cycle: (pods → services → replicasets → pods|replicasets → pods → services → replicasets|services → replicasets → pods → services)/);
    expect(() => validateBuildsOn([lab('pods'), lab('replicasets', ['pods']), lab('deployments', ['replicasets', 'pods'])])).not.toThrow();
  });

  it('gives the labs below a lab, directly or through others, in the labs\' order', () => {
    const labs = [lab('api'), lab('pods', ['api']), lab('replicasets', ['pods']), lab('deployments', ['replicasets']), lab('services', ['pods'])];
    expect(labsBelow(labs, 'deployments').map((l) => l.name)).toEqual(['api', 'pods', 'replicasets']);
    expect(labsBelow(labs, 'api')).toEqual([]);
  });

  it('holds for the labs of this repository, each of which builds on the api lab', () => {
    const labs = readLabs();
    for (const l of labs.filter((l) => l.name !== 'api')) expect(labsBelow(labs, l.name).map((b) => b.name), l.name).toContain('api');
  });
});

describe('kubelab starter --keep', () => {
  // The pods lab teaches two parts: the scheduler (graded first) and the pods' own code.
  const labs = [lab('api'), lab('pods', ['api'], ['scheduler', 'pods']), lab('replicasets', ['pods']), lab('services', ['pods'])];
  const parts = ['pods', 'replicasets', 'scheduler', 'services'];

  it('finds the lab that teaches each part', () => {
    expect(teachingLab(labs, 'scheduler')?.name).toBe('pods');
    expect(teachingLab(labs, 'pods')?.name).toBe('pods');
    expect(partsOf(labs, labs[1], parts)).toEqual(['scheduler', 'pods']);
    expect(partsOf(labs, labs[0], parts)).toEqual([]);
  });

  it('keeps a lab\'s parts and those of the labs below it', () => {
    expect(keepPlan(['replicasets'], parts, labs)).toEqual({ keep: ['pods', 'replicasets', 'scheduler'], below: ['pods', 'scheduler'] });
    expect(keepPlan(['pods'], parts, labs)).toEqual({ keep: ['pods', 'scheduler'], below: [] });
    expect(keepPlan(['scheduler'], parts, labs)).toEqual({ keep: ['scheduler'], below: [] });
    expect(keepPlan(['replicasets', 'services'], parts, labs)).toEqual({ keep: ['pods', 'replicasets', 'scheduler', 'services'], below: ['pods', 'scheduler'] });
    expect(keepPlan([], parts, labs)).toEqual({ keep: [], below: [] });
  });

  it('refuses a name that has no regions', () => {
    expect(() => keepPlan(['api'], parts, labs)).toThrow('--keep api: no lab or part of that name has regions');
    expect(() => keepPlan(['nope'], parts, labs)).toThrow('--keep nope: no lab or part of that name has regions');
  });
});
