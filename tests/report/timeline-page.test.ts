// The failure timeline page, drawn from synthetic recordings: one lane per
// source, items in time order on a shared axis, hostile text escaped, and a
// page that needs nothing from the network.

import { describe, expect, it } from 'vitest';
import { renderTimeline, timelineItems, tickStep, escapeHtml, MAX_LOG_LINES, type TimelineInput } from '../../conformance/timeline/timeline-page.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function input(overrides: Partial<TimelineInput> = {}): TimelineInput {
  return {
    check: { id: 'pods.lifecycle.running', title: 'A pod runs', cites: 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/' },
    message: 'expected: Pod web Running and Ready within 20 s\nseen:     Pending',
    recording: {
      startedAt: T0, endedAt: T0 + 20_000, droppedWatchEvents: 0,
      steps: [{ time: T0 + 10, text: 'create namespace ns-1' }, { time: T0 + 500, text: 'create pod web' }],
      watchEvents: [
        { time: T0 + 30, type: 'ADDED', kind: 'Node', name: 'node-1', summary: 'Ready=True' },
        { time: T0 + 520, type: 'ADDED', kind: 'Pod', name: 'web', namespace: 'ns-1', summary: 'Pending node=- ready 0/1' },
        { time: T0 + 900, type: 'MODIFIED', kind: 'Pod', name: 'web', namespace: 'ns-1', summary: 'Pending node=node-1 ready 0/1' },
      ],
    },
    logs: [
      { time: T0 - 60_000, process: 'control-plane', stream: 'stdout', text: 'long before the check' },
      { time: T0 + 600, process: 'control-plane', stream: 'stdout', text: 'POST /api/v1/namespaces/ns-1/pods 201' },
      { time: T0 + 950, process: 'node-1', stream: 'stderr', text: 'pull failed' },
    ],
    disruptions: [{ action: 'restart-node', target: 'node-1', start: T0 + 1000, end: T0 + 4000 }],
    ...overrides,
  };
}

describe('the failure timeline page', () => {
  it('has one lane per source: steps, disruptions, each process, watch events per kind', () => {
    const { lanes } = timelineItems(input());
    expect(lanes).toEqual(['check steps', 'harness disruptions', 'log: control-plane', 'log: node-1', 'watch: Node', 'watch: Pod']);
    const html = renderTimeline(input());
    for (const lane of lanes) expect(html).toContain(`<div class="label">${lane}</div>`);
    expect(html.match(/<div class="row" data-lane=/g)).toHaveLength(lanes.length);
  });

  it('lists every item in time order, in seconds since the check began, and leaves out logs from other times', () => {
    const html = renderTimeline(input());
    const rows = [...html.matchAll(/<tr id="e(\d+)"[^>]*><td class="t">([^<]+)<\/td><td class="l">([^<]+)<\/td><td class="text">([^<]*)<\/td>/g)];
    expect(rows.map((r) => r[4])).toEqual([
      'create namespace ns-1',
      'ADDED Node node-1: Ready=True',
      'create pod web',
      'ADDED Pod ns-1/web: Pending node=- ready 0/1',
      'POST /api/v1/namespaces/ns-1/pods 201',
      'MODIFIED Pod ns-1/web: Pending node=node-1 ready 0/1',
      'pull failed',
      'restart-node node-1 (took 3.0 s)',
      'check failed: expected: Pod web Running and Ready within 20 s',
    ]);
    expect(rows[0][2]).toBe('+0.010 s');
    expect(rows.at(-1)![2]).toBe('+20.000 s');
    expect(html).not.toContain('long before the check');
    // Each row's id is its position, and each mark links to its row.
    expect(rows.map((r) => Number(r[1]))).toEqual(rows.map((_, i) => i));
    expect(html).toMatch(/<a class="m k-step" href="#e0" style="left:0\.050%"/);
    // A disruption is a bar from its start to its end: 3 s of a 20 s axis.
    expect(html).toMatch(/<a class="m bar k-disruption" href="#e7" style="left:5\.000%;width:15\.000%"/);
  });

  it('puts the failure message at the top, before the lanes', () => {
    const html = renderTimeline(input());
    const failure = html.indexOf('<pre class="failure">expected: Pod web Running and Ready within 20 s\nseen:     Pending</pre>');
    expect(failure).toBeGreaterThan(0);
    expect(failure).toBeLessThan(html.indexOf('class="row"'));
  });

  it('escapes hostile text from logs, steps, events and the message', () => {
    const hostile = '</script><script>alert(1)</script><img src=x onerror="alert(2)">&amp;';
    const html = renderTimeline(input({
      message: hostile,
      check: { id: 'x.y</title>', title: hostile },
      logs: [{ time: T0 + 1, process: 'node"<b>', stream: 'stdout', text: `\x1b[31m${hostile}\x1b[0m` }],
      recording: { ...input().recording, steps: [{ time: T0 + 2, text: hostile }], watchEvents: [{ time: T0 + 3, type: 'ADDED', kind: 'Event', name: 'e', summary: hostile }] },
    }));
    expect(html.match(/<script>/g)).toHaveLength(1); // the page's own
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</title>x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&amp;amp;');
    expect(html).toContain('log: node&quot;&lt;b&gt;');
    expect(html).not.toContain('\x1b');
    expect(escapeHtml(`a'b`)).toBe('a&#39;b');
  });

  it('is self-contained: no external requests, dark mode, a narrow-window layout', () => {
    const html = renderTimeline(input());
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|url\(|@import|https?:\/\/(?!kubernetes\.io)/);
    expect(html).toContain('@media (prefers-color-scheme:dark)');
    expect(html).toContain('@media (max-width:600px)');
    expect(html).toContain('<meta name="viewport"');
  });

  it('keeps at most MAX_LOG_LINES log lines, the latest', () => {
    const logs = Array.from({ length: MAX_LOG_LINES + 10 }, (_, i) => ({ time: T0 + i, process: 'p', stream: 'stdout' as const, text: `line ${i}` }));
    const { items } = timelineItems(input({ logs }));
    const kept = items.filter((i) => i.kind === 'stdout').map((i) => i.text);
    expect(kept).toHaveLength(MAX_LOG_LINES);
    expect(kept[0]).toBe('line 10');
  });

  it('spaces axis ticks by 1, 2 or 5 times a power of ten', () => {
    expect(tickStep(20_000)).toBe(5000);
    expect(tickStep(8_000)).toBe(1000);
    expect(tickStep(1_200)).toBe(200);
    const html = renderTimeline(input());
    expect([...html.matchAll(/<span class="tick" style="left:[\d.]+%">([^<]+)</g)].map((m) => m[1])).toEqual(['0 s', '5 s', '10 s', '15 s', '20 s']);
  });
});
