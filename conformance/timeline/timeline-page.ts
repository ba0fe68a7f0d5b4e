// The failure timeline as one self-contained HTML page (inline CSS and JS, no
// requests, works opened from disk): the failure message at the top, then one
// lane per source on a shared axis of seconds since the check began (the
// check's steps, the harness's disruptions, each process's log lines, the watch
// events per kind), then every item in time order with its full text. A mark
// links to its row; hovering a mark shows its text. Without JavaScript the page
// still reads; with it, the axis zooms and lanes can be hidden.

import type { LogLine } from '../harness/managed-process.ts';
import type { CheckRecording, DisruptionRecord } from './recording.ts';

export interface TimelineInput {
  check: { id: string; title: string; cites?: string };
  /** The failure message, as the reporter prints it. */
  message: string;
  recording: CheckRecording;
  logs: LogLine[];
  disruptions: DisruptionRecord[];
}

/** Log lines kept for one page: the latest ones, the failure being at the end. */
export const MAX_LOG_LINES = 3000;
/** Log lines from this long before the check began and after it ended belong to its page. */
const LOG_MARGIN_MS = 2000;

interface Item {
  time: number;
  end?: number;
  lane: number;
  kind: string;
  text: string;
}

/** HTML text, safe in element content and in quoted attributes; terminal colour codes and control characters dropped. */
export function escapeHtml(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function seconds(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${(Math.abs(ms) / 1000).toFixed(3)} s`;
}

/** A tick spacing of 1, 2 or 5 × 10^k seconds giving about `count` ticks. */
export function tickStep(spanMs: number, count = 8): number {
  const raw = Math.max(spanMs / count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

/** Lanes and items, sorted by time (a stable sort: items of the same millisecond keep their source order). */
export function timelineItems(input: TimelineInput): { lanes: string[]; items: Item[]; start: number; end: number } {
  const { recording } = input;
  const start = recording.startedAt;
  const end = recording.endedAt;
  const lanes: string[] = ['check steps', 'harness disruptions'];
  const laneOf = (name: string) => {
    const i = lanes.indexOf(name);
    return i >= 0 ? i : lanes.push(name) - 1;
  };
  const items: Item[] = [];
  for (const s of recording.steps) items.push({ time: s.time, lane: 0, kind: 'step', text: s.text });
  items.push({ time: end, lane: 0, kind: 'failure', text: `check failed: ${input.message.split('\n')[0]}` });
  for (const d of input.disruptions) {
    if ((d.end ?? end) < start - LOG_MARGIN_MS || d.start > end + LOG_MARGIN_MS) continue;
    const took = d.end !== undefined ? ` (took ${((d.end - d.start) / 1000).toFixed(1)} s)` : ' (still running)';
    items.push({ time: d.start, end: d.end ?? end, lane: 1, kind: d.error ? 'disruption failed' : 'disruption',
      text: `${d.action}${d.target ? ` ${d.target}` : ''}${took}${d.error ? `: ${d.error}` : ''}` });
  }
  const logs = input.logs.filter((l) => l.time >= start - LOG_MARGIN_MS && l.time <= end + LOG_MARGIN_MS).slice(-MAX_LOG_LINES);
  // Lanes in the order processes first spoke, so the control plane usually comes first.
  for (const l of logs) items.push({ time: l.time, lane: laneOf(`log: ${l.process}`), kind: l.stream, text: l.text });
  const byKind = [...recording.watchEvents].sort((a, b) => a.kind.localeCompare(b.kind));
  for (const kind of new Set(byKind.map((e) => e.kind))) laneOf(`watch: ${kind}`);
  for (const e of recording.watchEvents) {
    const name = e.name ? ` ${e.namespace ? `${e.namespace}/` : ''}${e.name}` : '';
    items.push({ time: e.time, lane: laneOf(`watch: ${e.kind}`), kind: e.type, text: `${e.type} ${e.kind}${name}: ${e.summary}` });
  }
  items.sort((a, b) => a.time - b.time);
  const last = items.reduce((m, i) => Math.max(m, i.end ?? i.time), end);
  return { lanes, items, start: Math.min(start, ...items.map((i) => i.time)), end: last };
}

const CSS = `
:root{--bg:#fff;--fg:#1b1f24;--dim:#667;--line:#d8dce2;--lane:#f5f7fa;--step:#2563eb;--dis:#d97706;--out:#4b5563;--err:#dc2626;--add:#16a34a;--mod:#7c3aed;--del:#be123c;--hl:#fef3c7}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--fg:#e6e8eb;--dim:#9aa3ad;--line:#2b313a;--lane:#181c22;--step:#60a5fa;--dis:#fbbf24;--out:#9ca3af;--err:#f87171;--add:#4ade80;--mod:#c4b5fd;--del:#fb7185;--hl:#3b3415}}
*{box-sizing:border-box}body{margin:0;padding:1rem;background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,sans-serif}
h1{font-size:1.2rem;margin:0 0 .25rem;overflow-wrap:anywhere}h2{font-size:1rem;margin:1.5rem 0 .5rem}
.dim{color:var(--dim)}pre,.text{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
pre.failure{border-left:4px solid var(--err);padding:.5rem .75rem;background:var(--lane);max-height:40vh;overflow:auto}
.controls{margin:.5rem 0}.controls button{font:inherit;padding:.1rem .6rem;color:var(--fg);background:var(--lane);border:1px solid var(--line);border-radius:4px}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:4px}.plot{min-width:100%}
.row{display:flex;border-top:1px solid var(--line)}.row:first-child{border-top:0}
.label{flex:0 0 9rem;position:sticky;left:0;z-index:2;background:var(--bg);padding:.2rem .4rem;font-size:12px;overflow-wrap:anywhere;border-right:1px solid var(--line)}
.track{flex:1;position:relative;min-height:1.6rem;background:var(--lane)}
.axis .track{background:none;height:1.4rem}.tick{position:absolute;top:0;font-size:11px;color:var(--dim);border-left:1px solid var(--line);padding-left:2px;white-space:nowrap}
.m{position:absolute;top:3px;bottom:3px;width:3px;margin-left:-1px;border-radius:1px;background:var(--out);opacity:.85}
.m:hover,.m:focus{opacity:1;outline:2px solid var(--fg);z-index:1}
.bar{min-width:3px;margin-left:0;background:var(--dis);opacity:.6}
.k-step{background:var(--step)}.k-failure{background:var(--err);width:4px}.k-stderr{background:var(--err);opacity:.6}
.k-ADDED{background:var(--add)}.k-MODIFIED{background:var(--mod)}.k-DELETED{background:var(--del)}
.k-disruption-failed{background:var(--err)}
table{border-collapse:collapse;width:100%}td{vertical-align:top;padding:.15rem .4rem;border-top:1px solid var(--line)}
td.t{white-space:nowrap;color:var(--dim);font:12px ui-monospace,monospace}td.l{white-space:nowrap;font-size:12px}
tr.k-failure td,tr.k-stderr td.text{color:var(--err)}tr:target td{background:var(--hl)}
.filters label{display:inline-block;margin:0 .8rem .3rem 0;font-size:12px}
#tip{position:fixed;z-index:9;max-width:min(40rem,90vw);padding:.4rem .6rem;background:var(--bg);border:1px solid var(--line);border-radius:4px;box-shadow:0 2px 8px #0004;pointer-events:none;display:none}
@media (max-width:600px){body{padding:.5rem}.label{flex-basis:5.5rem;font-size:11px}td.l{white-space:normal}}
`;

// Zoom (the plot grows wider, ticks are redrawn), lane filters, and the hover tip.
const SCRIPT = `
(function(){
var plot=document.querySelector('.plot'),zoom=1,span=+plot.dataset.span,origin=+plot.dataset.origin;
function step(ms){var raw=Math.max(ms/8,1),p=Math.pow(10,Math.floor(Math.log10(raw)));return [1,2,5,10].map(function(m){return m*p}).find(function(s){return s>=raw})}
function ticks(){var t=document.querySelector('.axis .track'),s=step(span/zoom),h='';for(var x=Math.ceil(origin/s)*s;x<=origin+span;x+=s){h+='<span class="tick" style="left:'+((x-origin)/span*100)+'%">'+(x/1000).toFixed(s<1000?1:0)+' s</span>'}t.innerHTML=h}
function setZoom(z){zoom=Math.max(1,Math.min(64,z));plot.style.width=(zoom*100)+'%';ticks()}
document.getElementById('zin').onclick=function(){setZoom(zoom*2)};
document.getElementById('zout').onclick=function(){setZoom(zoom/2)};
document.querySelectorAll('.filters input').forEach(function(box){box.onchange=function(){
  var lane=box.dataset.lane;document.querySelectorAll('[data-lane="'+lane+'"]').forEach(function(el){if(el!==box)el.hidden=!box.checked})}});
var tip=document.getElementById('tip');
document.addEventListener('mouseover',function(e){var m=e.target.closest&&e.target.closest('.m');if(!m){tip.style.display='none';return}
  var row=document.getElementById(m.getAttribute('href').slice(1));tip.textContent=row?row.cells[0].textContent+'  '+row.cells[2].textContent:'';
  tip.style.display='block';var r=m.getBoundingClientRect();tip.style.left=Math.min(r.left,innerWidth-tip.offsetWidth-8)+'px';tip.style.top=(r.bottom+4)+'px'});
})();
`;

export function renderTimeline(input: TimelineInput): string {
  const { lanes, items, start, end } = timelineItems(input);
  const origin = input.recording.startedAt;
  const span = Math.max(end - start, 1);
  const pos = (t: number) => (((t - start) / span) * 100).toFixed(3);
  const kindClass = (kind: string) => `k-${kind.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const ticks: string[] = [];
  const stepMs = tickStep(span);
  for (let x = Math.ceil((start - origin) / stepMs) * stepMs; x <= end - origin; x += stepMs) {
    ticks.push(`<span class="tick" style="left:${pos(origin + x)}%">${(x / 1000).toFixed(stepMs < 1000 ? 1 : 0)} s</span>`);
  }
  const laneRows = lanes.map((name, lane) => {
    const marks = items.map((item, i) => ({ item, i })).filter(({ item }) => item.lane === lane).map(({ item, i }) => {
      const width = item.end !== undefined ? `;width:${(((item.end - item.time) / span) * 100).toFixed(3)}%` : '';
      return `<a class="m ${item.end !== undefined ? 'bar ' : ''}${kindClass(item.kind)}" href="#e${i}" style="left:${pos(item.time)}%${width}" aria-label="${escapeHtml(item.text.slice(0, 120))}"></a>`;
    });
    return `<div class="row" data-lane="${lane}"><div class="label">${escapeHtml(name)}</div><div class="track">${marks.join('')}</div></div>`;
  });
  const rows = items.map((item, i) => `<tr id="e${i}" class="${kindClass(item.kind)}" data-lane="${item.lane}"><td class="t">${seconds(item.time - origin)}</td><td class="l">${escapeHtml(lanes[item.lane])}</td><td class="text">${escapeHtml(item.text)}</td></tr>`);
  const filters = lanes.map((name, lane) => `<label><input type="checkbox" checked data-lane="${lane}"> ${escapeHtml(name)}</label>`);
  const { check, recording } = input;
  const dropped = recording.droppedWatchEvents ? ` · ${recording.droppedWatchEvents} older watch events left out` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>timeline: ${escapeHtml(check.id)}</title><style>${CSS}</style></head>
<body>
<header>
<h1>✗ ${escapeHtml(check.id)}</h1>
<div>${escapeHtml(check.title)}</div>
${check.cites ? `<div class="dim">Kubernetes: ${escapeHtml(check.cites)}</div>` : ''}
<pre class="failure">${escapeHtml(input.message)}</pre>
<div class="dim">started ${new Date(origin).toISOString()} · failed after ${((recording.endedAt - origin) / 1000).toFixed(1)} s · ${items.length} items${dropped} · times are seconds since the check began</div>
</header>
<h2>Timeline</h2>
<div class="controls"><button id="zout" type="button" aria-label="zoom out">−</button> <button id="zin" type="button" aria-label="zoom in">+</button> <span class="dim">zoom; click a mark to see its row</span></div>
<div class="scroll"><div class="plot" data-span="${span}" data-origin="${start - origin}">
<div class="row axis"><div class="label dim">seconds</div><div class="track">${ticks.join('')}</div></div>
${laneRows.join('\n')}
</div></div>
<h2>Everything, in order</h2>
<div class="filters">${filters.join('')}</div>
<table><tbody>
${rows.join('\n')}
</tbody></table>
<div id="tip" class="text"></div>
<script>${SCRIPT}</script>
</body></html>
`;
}
