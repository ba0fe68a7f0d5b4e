// Which regions `kubelab starter --keep LAB` keeps: the lab's own, and those
// of the labs it builds on (`builds-on` in labs/NN-topic/lab.yaml), because a
// lab's checks need that code too: a ReplicaSet's pods must be placed and run.
//
// Two kinds of names meet here. A region names the part of the reference it
// belongs to (`LAB(scheduler)`, the prefix of that part's check ids); a
// lab.yaml names a lesson, which may teach several parts: the pods lab
// (01-pods) grades the scheduler's checks and the pods' ones. So:
// - `--keep pods` (a lab.yaml's name) keeps every part that lab teaches;
// - `--keep scheduler` (a part only) keeps that part;
// and either keeps every part of the labs below it.

import { labsBelow, readLabs, type LabDefinition } from '../../conformance/grading/lab-files.ts';

/**
 * The lab.yaml that teaches a region's part: the lab named so, or else the one
 * whose steps grade its checks (`scheduler.…` is graded in 01-pods).
 */
export function teachingLab(labs: LabDefinition[], part: string): LabDefinition | undefined {
  return labs.find((lab) => lab.name === part)
    ?? labs.find((lab) => lab.steps.some((step) => step.checks.some((id) => id.startsWith(`${part}.`))));
}

/** The parts (of `parts`, the region names in the reference) that a lab teaches, in the order its steps grade them. */
export function partsOf(labs: LabDefinition[], lab: LabDefinition, parts: string[]): string[] {
  const checks = lab.steps.flatMap((step) => step.checks);
  const first = (part: string) => {
    const i = checks.findIndex((id) => id.startsWith(`${part}.`));
    return i < 0 ? checks.length : i;
  };
  return parts.filter((part) => teachingLab(labs, part)?.name === lab.name).sort((a, b) => first(a) - first(b));
}

export interface KeepPlan {
  /** Every part whose regions stay, sorted. */
  keep: string[];
  /** Of those, the ones kept only because an asked lab builds on them. */
  below: string[];
}

/**
 * What `--keep` keeps for the names asked. `parts` are the region names of the
 * reference; an asked name that is neither a part nor a lab with parts is an error.
 */
export function keepPlan(asked: string[], parts: string[], labs: LabDefinition[] = readLabs()): KeepPlan {
  const own = new Set<string>();
  const below = new Set<string>();
  for (const name of asked) {
    const lab = labs.find((l) => l.name === name);
    const mine = lab ? partsOf(labs, lab, parts) : parts.includes(name) ? [name] : [];
    if (mine.length === 0) {
      throw new Error(`--keep ${name}: no lab or part of that name has regions (parts: ${parts.join(', ')}; labs: ${labs.map((l) => l.name).join(', ')})`);
    }
    mine.forEach((part) => own.add(part));
    const teacher = lab ?? teachingLab(labs, name);
    for (const foundation of teacher ? labsBelow(labs, teacher.name) : []) {
      partsOf(labs, foundation, parts).forEach((part) => below.add(part));
    }
  }
  const keep = [...new Set([...own, ...below])].sort();
  return { keep, below: keep.filter((part) => !own.has(part)) };
}
