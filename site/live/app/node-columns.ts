// The cluster as columns: one per node, headed by its name and state (Ready,
// NotReady or Unknown, cordoned, its taints), holding the tiles of the pods
// bound to it (spec.nodeName); before them, a queue of the pods no node has
// been chosen for yet. Columns and tiles are kept and updated in place.
// https://kubernetes.io/docs/concepts/architecture/nodes/#condition

import { fill, h, placeInOrder } from './dom.ts';
import { groupByOwner } from './owners.ts';
import type { PodTiles } from './pod-tiles.ts';
import type { ClusterStore } from './store.ts';
import type { KubeObject } from './types.ts';

const QUEUE = ' pending'; // no node can be called that (a space is not allowed in a name)
const byNumber = new Intl.Collator('en', { numeric: true }).compare; // node-2 before node-10

interface Column {
  el: HTMLElement;
  head: HTMLElement;
  body: HTMLElement;
  signature: string;
}

export interface NodeState {
  ready: 'True' | 'False' | 'Unknown';
  cordoned: boolean;
  taints: string[];
}

export function nodeState(node: KubeObject | undefined): NodeState {
  const condition = (node?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const taints: any[] = node?.spec?.taints ?? [];
  return {
    ready: condition?.status === 'True' ? 'True' : condition?.status === 'False' ? 'False' : 'Unknown',
    cordoned: !!node?.spec?.unschedulable,
    taints: taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
  };
}

export class NodeColumns {
  private readonly columns = new Map<string, Column>();

  constructor(
    private readonly container: HTMLElement,
    private readonly tiles: PodTiles,
    private readonly onSelectNode: (node: KubeObject) => void,
  ) {
    // New tiles and columns slide in once; one listener for all of them, not one each.
    container.addEventListener('animationend', (event) => (event.target as Element).classList.remove('entering'));
  }

  draw(store: ClusterStore, namespace: string | undefined): void {
    const pods = store.list('Pod', namespace);
    const byNode = new Map<string, KubeObject[]>([[QUEUE, []]]);
    for (const node of store.list('Node')) byNode.set(node.metadata.name, []);
    for (const pod of pods) {
      const where = pod.spec?.nodeName || QUEUE;
      if (!byNode.has(where)) byNode.set(where, []); // a node the API does not list (deleted): still show its pods
      byNode.get(where)!.push(pod);
    }

    const drawn = new Set<string>();
    const order: HTMLElement[] = [];
    const names = [QUEUE, ...[...byNode.keys()].filter((n) => n !== QUEUE).sort(byNumber)];
    for (const name of names) {
      const column = this.column(name);
      this.drawHead(column, name, store.get('Node', name), byNode.get(name)!.length);
      const tiles: HTMLElement[] = [];
      for (const { group, pods: owned } of groupByOwner(byNode.get(name)!, store).values()) {
        for (const pod of owned) {
          const tile = this.tiles.tile(pod, group);
          drawn.add(tile.dataset.uid!);
          tiles.push(tile);
        }
      }
      placeInOrder(column.body, tiles);
      order.push(column.el);
    }
    const existing = new Set(store.list('Pod').map((p) => p.metadata.uid));
    this.tiles.sweep(drawn, (uid) => !existing.has(uid));

    // Columns of nodes that are gone (and whose pods are gone) leave; the rest keep their order.
    for (const [name, column] of this.columns) {
      if (!byNode.has(name)) {
        column.el.remove();
        this.columns.delete(name);
      }
    }
    placeInOrder(this.container, order);
  }

  private column(name: string): Column {
    let column = this.columns.get(name);
    if (!column) {
      const head = h('header', { class: 'node-head' });
      const body = h('div', { class: 'node-pods' });
      const el = h('section', { class: name === QUEUE ? 'node queue entering' : 'node entering' }, head, body);
      column = { el, head, body, signature: '' };
      this.columns.set(name, column);
    }
    return column;
  }

  private drawHead(column: Column, name: string, node: KubeObject | undefined, pods: number): void {
    if (name === QUEUE) {
      column.el.hidden = pods === 0;
      column.el.dataset.node = '';
      const signature = `queue|${pods}`;
      if (signature === column.signature) return;
      column.signature = signature;
      column.head.replaceChildren(h('span', { class: 'node-name' }, 'Not scheduled'), h('span', { class: 'badge pending' }, `${pods} pending`));
      return;
    }
    const state = nodeState(node);
    const signature = [node?.metadata.resourceVersion ?? 'missing', pods].join('|');
    if (signature === column.signature) return;
    column.signature = signature;
    const el = column.el;
    el.dataset.node = name;
    el.dataset.ready = state.ready;
    el.dataset.cordoned = String(state.cordoned);
    el.classList.toggle('not-ready', state.ready !== 'True');
    el.classList.toggle('cordoned', state.cordoned);
    el.classList.toggle('missing', !node);
    const label = !node ? 'deleted' : state.ready === 'True' ? 'Ready' : state.ready === 'False' ? 'NotReady' : 'Unknown';
    const nameButton = h('button', { type: 'button', class: 'node-name', title: `node ${name}: details` }, name);
    if (node) nameButton.onclick = () => this.onSelectNode(node);
    fill(column.head,
      nameButton,
      h('span', { class: `badge ${state.ready === 'True' ? 'ok' : 'bad'}` }, label),
      state.cordoned && h('span', { class: 'badge warn' }, 'cordoned'),
      h('span', { class: 'count', title: 'pods on this node' }, String(pods)),
      ...state.taints.map((t) => h('span', { class: 'taint', title: 'taint' }, ...breakable(t))),
    );
  }
}

/**
 * A taint as text that may wrap after a "/" or before "=" and ":" (a <wbr>
 * between the parts), so that a narrow column breaks
 * "kwok.x-k8s.io/node=fake:NoSchedule" between its parts, not inside a word.
 */
function breakable(text: string): (string | HTMLElement)[] {
  return text.split(/(?<=\/)|(?=[=:])/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
}
