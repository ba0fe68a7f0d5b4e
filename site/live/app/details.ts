// The details of one object: its status conditions and its YAML, as `kubectl
// get -o yaml` shows it (without managedFields, which only tools read). It
// follows the object: when the object changes, so does the panel; when it is
// deleted, the panel says so and keeps its last copy.

import { fill, h } from './dom.ts';
import type { ClusterStore } from './store.ts';
import { keyOf, RESOURCES, type Kind, type KubeObject } from './types.ts';
import { toYaml } from './yaml.ts';

export class DetailsPanel {
  private selected?: { kind: Kind; key: string; last: KubeObject };
  private drawnVersion = '';

  constructor(private readonly panel: HTMLElement, private readonly body: HTMLElement, private readonly title: HTMLElement) {
    panel.querySelector('.close')?.addEventListener('click', () => this.hide());
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.hide(); });
  }

  show(obj: KubeObject, store: ClusterStore): void {
    const kind = (obj.kind ?? 'Pod') as Kind;
    if (!(kind in RESOURCES)) return;
    this.selected = { kind, key: keyOf(obj), last: obj };
    this.drawnVersion = '';
    this.panel.hidden = false;
    this.draw(store);
    (this.panel.querySelector('.close') as HTMLElement | null)?.focus();
  }

  hide(): void {
    this.selected = undefined;
    this.panel.hidden = true;
  }

  /** Redraws when the selected object changed (or went away). */
  draw(store: ClusterStore): void {
    if (!this.selected) return;
    const current = store.get(this.selected.kind, this.selected.key);
    const obj = current ?? this.selected.last;
    this.selected.last = obj;
    const version = `${current ? 'live' : 'gone'}:${obj.metadata.resourceVersion}`;
    if (version === this.drawnVersion) return;
    this.drawnVersion = version;
    this.panel.dataset.kind = this.selected.kind;
    this.panel.dataset.name = obj.metadata.name;
    fill(this.title, `${this.selected.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`);
    const conditions: any[] = obj.status?.conditions ?? [];
    const { managedFields: _hidden, ...metadata } = obj.metadata;
    const shown = { apiVersion: obj.apiVersion, kind: obj.kind, ...obj, metadata };
    fill(this.body,
      current ? undefined : h('p', { class: 'gone' }, 'This object has been deleted; this is its last known state.'),
      h('h3', {}, 'Conditions'),
      conditions.length === 0
        ? h('p', { class: 'muted' }, 'No status conditions.')
        : h('table', { class: 'conditions' },
          h('thead', {}, h('tr', {}, ...['type', 'status', 'reason', 'message', 'since'].map((c) => h('th', {}, c)))),
          h('tbody', {}, ...conditions.map((c) => h('tr', { class: c.status === 'True' ? 'true' : 'false' },
            h('td', {}, c.type), h('td', {}, c.status), h('td', {}, c.reason ?? ''), h('td', {}, c.message ?? ''), h('td', {}, c.lastTransitionTime ?? ''))))),
      h('h3', {}, 'YAML'),
      h('pre', { class: 'yaml' }, toYaml(shown)));
  }
}
