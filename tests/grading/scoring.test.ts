// Scores from a synthetic set of results: a step earns the points of its passed
// checks only; skipped and failed checks earn nothing and keep their reason; a
// check with no result at all is failed, with a reason that says so.

import { describe, expect, it } from 'vitest';
import { NOT_RUN, scoreLabs } from '../../conformance/grading/scoring.ts';
import { belowMinScore, formatPercent, parseMinScore } from '../../conformance/grading/min-score.ts';
import { CATALOGUE, LAB } from './fixtures.ts';

describe('scoreLabs', () => {
  const grade = scoreLabs([LAB], CATALOGUE, [
    { id: 'demo.run.starts', status: 'passed', durationMs: 1200 },
    { id: 'demo.run.serves', status: 'failed', message: 'expected HTTP 200\nseen: connection refused' },
    { id: 'demo.nodes.lost', status: 'skipped', message: 'needs kill-node, which the kubeconfig driver cannot do' },
    // demo.nodes.back reported nothing.
  ]);

  it('totals steps, labs and the whole grade', () => {
    expect(grade.score).toBe(3);
    expect(grade.maxScore).toBe(10);
    expect(grade.labs.map((l) => [l.name, l.score, l.maxScore])).toEqual([['demo', 3, 10]]);
    expect(grade.labs[0].steps.map((s) => [s.id, s.score, s.maxScore])).toEqual([['run', 3, 5], ['nodes', 0, 5]]);
  });

  it('keeps every check with its status, points, earned score and reason', () => {
    const [run, nodes] = grade.labs[0].steps;
    expect(run.checks[0]).toEqual({ id: 'demo.run.starts', title: 'A pod starts', points: 3, score: 3, status: 'passed', durationMs: 1200 });
    expect(run.checks[1]).toMatchObject({ status: 'failed', score: 0, points: 2, reason: 'expected HTTP 200\nseen: connection refused' });
    expect(nodes.checks[0]).toMatchObject({ status: 'skipped', score: 0, points: 4, reason: expect.stringMatching(/needs kill-node/) });
    expect(nodes.checks[1]).toMatchObject({ id: 'demo.nodes.back', status: 'failed', score: 0, reason: NOT_RUN });
  });

  it('gives full marks when everything passed', () => {
    const all = scoreLabs([LAB], CATALOGUE, CATALOGUE.map((c) => ({ id: c.id, status: 'passed' as const })));
    expect([all.score, all.maxScore]).toEqual([10, 10]);
  });
});

describe('--min-score', () => {
  it('reads points and percentages, and refuses anything else', () => {
    expect(parseMinScore('80%')).toEqual({ value: 80, percent: true, text: '80%' });
    expect(parseMinScore('120')).toEqual({ value: 120, percent: false, text: '120' });
    expect(() => parseMinScore('eighty')).toThrow(/points \(120\) or a percentage \(80%\)/);
    expect(() => parseMinScore('-3')).toThrow();
  });

  it('says why when the score is below, and nothing when it reaches the threshold', () => {
    expect(belowMinScore(parseMinScore('80%'), 80, 100)).toBeUndefined();
    expect(belowMinScore(parseMinScore('80%'), 79, 100)).toBe('score 79/100 (79%) is below --min-score 80%');
    expect(belowMinScore(parseMinScore('30'), 30, 100)).toBeUndefined();
    expect(belowMinScore(parseMinScore('30'), 29, 100)).toMatch(/below --min-score 30/);
    expect(belowMinScore(parseMinScore('101%'), 100, 100)).toMatch(/score 100\/100 \(100%\) is below --min-score 101%/);
    expect(formatPercent(2, 3)).toBe('66.6%');
  });
});
