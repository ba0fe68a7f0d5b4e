// lab.yaml: its shape is checked, and its check ids are validated against the
// catalogue so that a typo, a check graded twice or a check graded nowhere is
// an error that names the file (and the id), never a silently wrong grade.

import { describe, expect, it } from 'vitest';
import { LabFileError, parseLab, selectLabs, validateLabs, type LabDefinition } from '../../conformance/grading/lab-files.ts';
import { CATALOGUE, LAB, LAB_YAML } from './fixtures.ts';

const FILE = 'labs/00-demo/lab.yaml';
const withSteps = (steps: LabDefinition['steps'], file = FILE): LabDefinition => ({ ...LAB, file, steps });

describe('parseLab', () => {
  it('reads name, title and steps with their points and check ids', () => {
    expect(parseLab(LAB_YAML, FILE, '00-demo')).toEqual(LAB);
  });

  it('names the file and the field when the shape is wrong', () => {
    expect(() => parseLab('name: demo\nsteps: []\n', FILE, '00-demo')).toThrow(`${FILE}: title must be a non-empty string`);
    expect(() => parseLab('name: demo\ntitle: t\nsteps: []\n', FILE, '00-demo')).toThrow(/steps must be a non-empty list/);
    expect(() => parseLab('name: demo\ntitle: t\nsteps:\n  - id: a\n    title: A\n    checks: [x.y.z]\n', FILE, '00-demo')).toThrow(/step "a": points must be a number/);
    expect(() => parseLab('name: demo\ntitle: t\nsteps:\n  - id: a\n    title: A\n    points: 1\n', FILE, '00-demo')).toThrow(/step "a": checks must be a non-empty list/);
    expect(() => parseLab('name: [', FILE, '00-demo')).toThrow(`${FILE}: not valid YAML`);
  });

  it('refuses two steps with the same id', () => {
    const twice = LAB_YAML.replace('id: nodes', 'id: run');
    expect(() => parseLab(twice, FILE, '00-demo')).toThrow(`${FILE}: step id "run" appears twice`);
  });
});

describe('validateLabs', () => {
  it('accepts labs that grade every check exactly once with matching points', () => {
    expect(() => validateLabs([LAB], CATALOGUE)).not.toThrow();
  });

  it('an unknown check id is an error naming the file and the id', () => {
    const lab = withSteps([LAB.steps[0], { ...LAB.steps[1], checks: ['demo.nodes.lost', 'demo.nodes.bak'] }]);
    const attempt = () => validateLabs([lab], CATALOGUE);
    expect(attempt).toThrow(LabFileError);
    expect(attempt).toThrow(`${FILE}: step "nodes" names unknown check id "demo.nodes.bak"`);
  });

  it('a check that no step lists is an error naming it and its file', () => {
    const lab = withSteps([LAB.steps[0], { ...LAB.steps[1], points: 4, checks: ['demo.nodes.lost'] }]);
    expect(() => validateLabs([lab], CATALOGUE)).toThrow(/1 check\(s\) belong to no step of any lab\.yaml: demo\.nodes\.back \(conformance\/checks\/demo\/nodes\.check\.ts\)/);
  });

  it('a check listed twice, in one lab or in two, is an error naming both places', () => {
    const inOneLab = withSteps([{ ...LAB.steps[0], points: 9, checks: ['demo.run.starts', 'demo.run.serves', 'demo.nodes.lost'] }, LAB.steps[1]]);
    expect(() => validateLabs([inOneLab], CATALOGUE)).toThrow(`check "demo.nodes.lost" is listed twice: in ${FILE} step "run" and in ${FILE} step "nodes"`);
    const other: LabDefinition = { ...LAB, name: 'other', folder: '01-other', file: 'labs/01-other/lab.yaml', steps: [{ id: 'x', title: 'X', points: 1, checks: ['demo.nodes.back'] }] };
    expect(() => validateLabs([LAB, other], CATALOGUE)).toThrow(/labs\/01-other\/lab\.yaml: check "demo\.nodes\.back" is listed twice/);
  });

  it("a step whose points are not its checks' points is an error", () => {
    const lab = withSteps([{ ...LAB.steps[0], points: 6 }, LAB.steps[1]]);
    expect(() => validateLabs([lab], CATALOGUE)).toThrow(`${FILE}: step "run" says points: 6, but its checks are worth 5`);
  });

  it('two labs with the same name are an error', () => {
    const copy: LabDefinition = { ...LAB, folder: '01-demo', file: 'labs/01-demo/lab.yaml', steps: [] };
    expect(() => validateLabs([LAB, copy], CATALOGUE)).toThrow(/lab name "demo" is also used by labs\/00-demo\/lab\.yaml/);
  });
});

describe('selectLabs', () => {
  it('selects by name or by folder, and lists the labs when none matches', () => {
    expect(selectLabs([LAB], 'demo')).toEqual([LAB]);
    expect(selectLabs([LAB], '00-demo')).toEqual([LAB]);
    expect(selectLabs([LAB])).toEqual([LAB]);
    expect(() => selectLabs([LAB], 'nope')).toThrow('no lab named "nope" (labs: demo)');
  });
});
