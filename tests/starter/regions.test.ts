// The LAB regions and their stubs (scripts/starter/regions.ts): the two shapes
// a region may take, and the marks the generator refuses.

import { describe, expect, it } from 'vitest';
import { findRegions, stubRegions } from '../../scripts/starter/regions.ts';

const message = (r: { lab: string }, what: string) => `TODO(lab ${r.lab}): ${what}`;
const none = new Set<string>();

describe('LAB regions', () => {
  it('finds each region with its lab, its description and its lines', () => {
    const text = 'a\n// LAB(pods) begin: the phase\nb\n// LAB end\n  // LAB(scheduler) begin\n  c\n  // LAB end\n';
    expect(findRegions(text)).toEqual([
      { lab: 'pods', description: 'the phase', beginLine: 1, endLine: 3 },
      { lab: 'scheduler', description: '', beginLine: 4, endLine: 6 },
    ]);
  });

  it('refuses nested, unbalanced and malformed marks', () => {
    expect(() => findRegions('// LAB(a) begin\n// LAB(b) begin\n// LAB end\n// LAB end\n')).toThrow(/do not nest/);
    expect(() => findRegions('// LAB(a) begin\nx\n')).toThrow(/without a LAB end/);
    expect(() => findRegions('x\n// LAB end\n')).toThrow(/without a LAB\(<lab>\) begin/);
    expect(() => findRegions('// LAB(Pods) begin\n// LAB end\n')).toThrow(/malformed/);
  });

  it('replaces whole statements in a function body with one throw, keeping the code around them', () => {
    const text = [
      'export function fit(n: number): string[] {',
      '  const reasons: string[] = [];',
      '  // LAB(scheduler) begin: does the pod fit?',
      "  if (n > 1) reasons.push('Too many pods');",
      '  // LAB end',
      '  return reasons;',
      '}',
      '',
    ].join('\n');
    const { text: out, stubbed } = stubRegions(text, 'fit.ts', none, message);
    expect(stubbed.map((r) => r.lab)).toEqual(['scheduler']);
    expect(out).toBe([
      'export function fit(n: number): string[] {',
      '  const reasons: string[] = [];',
      '  // TODO(lab scheduler): does the pod fit?',
      "  throw new Error('TODO(lab scheduler): does the pod fit?');",
      '  return reasons;',
      '}',
      '',
    ].join('\n'));
  });

  it('keeps the signature and doc comment of each function of a declaration region and stubs its body', () => {
    const text = [
      "// LAB(deployments) begin: the Recreate strategy",
      '/** Scales old down, then new up. */',
      'export async function recreate(n: number): Promise<number> {',
      '  return n + 1;',
      '}',
      '',
      'export const plugin = {',
      "  name: 'x',",
      '  score(a: number): number { return a; },',
      '};',
      '// LAB end',
      'export const after = 1;',
      '',
    ].join('\n');
    const out = stubRegions(text, 'recreate.ts', none, message).text;
    expect(out).toContain('// TODO(lab deployments): the Recreate strategy\n/** Scales old down, then new up. */\nexport async function recreate(n: number): Promise<number> {\n');
    expect(out).toContain("throw new Error('TODO(lab deployments): the Recreate strategy; write recreate');");
    expect(out).toContain("  score(a: number): number {\n    throw new Error('TODO(lab deployments): the Recreate strategy; write score');\n  },");
    expect(out).toContain("name: 'x'");
    expect(out).not.toMatch(/return n \+ 1|return a;|LAB\(|LAB end/);
    expect(out.endsWith('export const after = 1;\n')).toBe(true);
  });

  it('stubs a method of a class and names it when the mark has no description', () => {
    const text = 'class C {\n  // LAB(replicasets) begin\n  private async manage(): Promise<void> {\n    await 1;\n  }\n  // LAB end\n}\n';
    expect(stubRegions(text, 'c.ts', none, message).text).toBe(
      "class C {\n  // TODO(lab replicasets): write manage\n  private async manage(): Promise<void> {\n    throw new Error('TODO(lab replicasets): write manage');\n  }\n}\n");
  });

  it('leaves the regions of a kept lab as they are', () => {
    const text = 'function f() {\n  // LAB(pods) begin\n  g();\n  // LAB end\n}\n';
    expect(stubRegions(text, 'f.ts', new Set(['pods']), message)).toEqual({ text, stubbed: [] });
  });

  it('refuses a region that cuts a statement in two, or declares no function at file level', () => {
    const cut = 'function f() {\n  if (x) {\n  // LAB(pods) begin\n  g();\n  }\n  // LAB end\n}\n';
    expect(() => stubRegions(cut, 'f.ts', none, message)).toThrow(/cuts a statement/);
    const constant = '// LAB(pods) begin\nconst x = 1;\n// LAB end\n';
    expect(() => stubRegions(constant, 'x.ts', none, message)).toThrow(/declares no function/);
  });
});
