// The live view's page: follows the cluster's objects through the proxy
// (list + watch per kind, watch.ts) into one store (store.ts), and draws the
// panels from it once per animation frame (render-loop.ts), each panel only
// when the kinds it shows have changed.

import { DetailsPanel } from './details.ts';
import { EventsStream } from './events-stream.ts';
import { NamespaceFilter } from './namespace-filter.ts';
import { NodeColumns, nodeState } from './node-columns.ts';
import { PodTiles } from './pod-tiles.ts';
import { frameScheduler } from './render-loop.ts';
import { drawServices } from './services-panel.ts';
import { ClusterStore } from './store.ts';
import { KINDS, RESOURCES, type Kind, type KubeObject } from './types.ts';
import { watchCollection, type WatchState } from './watch.ts';
import { WorkloadsPanel } from './workloads-panel.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const store = new ClusterStore();
const details = new DetailsPanel(byId('details'), byId('details-body'), byId('details-title'));
const select = (obj: KubeObject) => details.show(obj, store);
const tiles = new PodTiles(select);
const nodes = new NodeColumns(byId('nodes'), tiles, select);
const workloads = new WorkloadsPanel(byId('workloads'), select);
const events = new EventsStream(byId('events'), (event) => {
  // An event is about an object: show that object when the view has it, else the event.
  const about = event.involvedObject ?? {};
  const kind = about.kind as Kind;
  const target = KINDS.includes(kind) ? store.get(kind, about.namespace ? `${about.namespace}/${about.name}` : about.name) : undefined;
  select(target ?? event);
});
const filter = new NamespaceFilter(byId<HTMLSelectElement>('namespace'), () => schedule());

/** What each panel drew last: the revisions of its kinds and the namespace. */
let drawnFor = '';
const drawn = new Map<string, string>();
function changed(panel: string, kinds: Kind[]): boolean {
  const now = `${drawnFor}|${kinds.map((k) => store.revision(k)).join(',')}`;
  if (drawn.get(panel) === now) return false;
  drawn.set(panel, now);
  return true;
}

function draw(): void {
  const namespace = filter.value;
  drawnFor = namespace ?? '';
  filter.draw(store);
  if (changed('nodes', ['Node', 'Pod', 'ReplicaSet'])) nodes.draw(store, namespace);
  if (changed('workloads', ['Deployment', 'ReplicaSet'])) workloads.draw(store, namespace);
  if (changed('services', ['Service', 'Endpoints'])) drawServices(byId('services'), store, namespace, select);
  if (changed('events', ['Event'])) events.draw(store, namespace);
  details.draw(store);
  drawSummary(namespace);
}

function drawSummary(namespace: string | undefined): void {
  const all = store.list('Node');
  const ready = all.filter((n) => nodeState(n).ready === 'True').length;
  const pods = store.list('Pod', namespace);
  const running = pods.filter((p) => p.status?.phase === 'Running').length;
  byId('summary').textContent = `${all.length} nodes (${ready} Ready) · ${pods.length} pods (${running} Running)`;
}

const schedule = frameScheduler(draw);
store.subscribe(schedule);

// One list + watch per kind; the header says whether all of them are live.
const states = new Map<Kind, { state: WatchState; detail?: string }>();
function showConnection(): void {
  const waiting = [...states].filter(([, s]) => s.state !== 'watching');
  const el = byId('connection');
  el.dataset.state = waiting.length === 0 ? 'live' : waiting.some(([, s]) => s.state === 'retrying') ? 'retrying' : 'listing';
  el.textContent = waiting.length === 0 ? 'live' : waiting.some(([, s]) => s.state === 'retrying') ? 'reconnecting…' : 'loading…';
  el.title = waiting.map(([kind, s]) => `${kind}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`).join('\n') || 'every watch is open';
}
for (const kind of KINDS) {
  watchCollection(RESOURCES[kind], {
    onList: (items) => store.replace(kind, items),
    onEvent: (type, obj) => store.apply(kind, type, obj),
    onState: (state, detail) => { states.set(kind, { state, detail }); showConnection(); },
  });
}
