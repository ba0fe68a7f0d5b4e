// The order in which the suite's files start (conformance/harness/file-order.ts):
// which files it takes for ones with a check that needs a cluster to itself (read
// from the source, since the sequencer runs before any check file is loaded), and
// how it spaces them among the others.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exclusiveWeight, interleave } from '../../conformance/harness/file-order.ts';
import { loadCatalogue } from '../../conformance/grading/catalogue.ts';
import { isExclusive } from '../../conformance/lib/exclusive.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('file order', () => {
  it('finds exactly the check files with a check that needs a cluster to itself, as the checks declare it', () => {
    const catalogue = loadCatalogue();
    const files = [...new Set(catalogue.map((c) => c.file))];
    const declared = files.filter((file) => catalogue.some((c) => c.file === file && isExclusive(c))).sort();
    const read = files.filter((file) => exclusiveWeight(join(ROOT, file)) !== undefined).sort();
    expect(read).toEqual(declared);
    // A file whose only disruption kills a container of its own pod shares the cluster.
    expect(read).not.toContain('conformance/checks/failures/containers.check.ts');
    expect(read).toContain('conformance/checks/failures/nodes.check.ts');
  });

  it('weighs an exclusive file by its longest timeout, so the node-loss checks lead', () => {
    const weight = (file: string) => exclusiveWeight(join(ROOT, 'conformance/checks', file))!;
    expect(weight('failures/nodes-hung.check.ts')).toBe(200_000);
    expect(weight('scheduler/placement.check.ts')).toBe(30_000);
    expect(weight('failures/nodes-hung.check.ts')).toBeGreaterThan(weight('failures/components.check.ts'));
  });

  it('puts a few exclusive files first, then one after every three shared files, and loses none', () => {
    const exclusive = ['E1', 'E2', 'E3', 'E4', 'E5'];
    const shared = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'];
    expect(interleave(exclusive, shared, 3)).toEqual(['E1', 'E2', 'E3', 'S1', 'S2', 'S3', 'E4', 'S4', 'S5', 'S6', 'E5', 'S7']);
    // More exclusive files than there are shared ones to space them: the rest follow each other.
    expect(interleave(exclusive, ['S1'], 1)).toEqual(['E1', 'S1', 'E2', 'E3', 'E4', 'E5']);
    expect(interleave([], shared, 3)).toEqual(shared);
    expect(interleave(exclusive, [], 9)).toEqual(exclusive);
  });
});
