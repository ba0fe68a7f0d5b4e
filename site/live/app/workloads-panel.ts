// Deployments and the ReplicaSets they own (and ReplicaSets nobody owns): for
// each, how many pods are wanted, ready, updated and available, and a bar that
// fills as a rollout moves. Cards are kept by object, so the bars glide.

import { fill, h, placeInOrder } from './dom.ts';
import { controllerOf, hueOf } from './owners.ts';
import { rolloutProgress } from './rollout.ts';
import type { ClusterStore } from './store.ts';
import type { KubeObject } from './types.ts';

type Select = (obj: KubeObject) => void;

interface Card {
  el: HTMLElement;
  text: HTMLElement;
  updatedBar: HTMLElement;
  readyBar: HTMLElement;
  replicaSets: HTMLElement;
}

export class WorkloadsPanel {
  private readonly cards = new Map<string, Card>();
  private readonly empty = h('p', { class: 'empty' }, 'No Deployments or ReplicaSets here.');

  constructor(private readonly container: HTMLElement, private readonly onSelect: Select) {}

  draw(store: ClusterStore, namespace: string | undefined): void {
    const replicaSets = store.list('ReplicaSet', namespace).sort(byName);
    const wanted: HTMLElement[] = [];
    const seen = new Set<string>();
    for (const deployment of store.list('Deployment', namespace).sort(byName)) {
      const owned = replicaSets.filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid);
      wanted.push(this.deploymentCard(deployment, owned, seen));
    }
    for (const rs of replicaSets.filter((r) => controllerOf(r)?.kind !== 'Deployment')) wanted.push(this.replicaSetCard(rs, seen));
    for (const [key, card] of this.cards) if (!seen.has(key)) { card.el.remove(); this.cards.delete(key); }
    if (wanted.length === 0) wanted.push(this.empty);
    // Cards stay in the page (moved only when out of place), so their bars' transitions play.
    for (const child of [...this.container.children]) if (!wanted.includes(child as HTMLElement)) child.remove();
    placeInOrder(this.container, wanted);
  }

  private card(key: string, kind: string, obj: KubeObject, seen: Set<string>): Card {
    seen.add(key);
    let card = this.cards.get(key);
    if (!card) {
      const updatedBar = h('span', { class: 'bar-updated' });
      const readyBar = h('span', { class: 'bar-ready' });
      const text = h('div', { class: 'workload-text' });
      const replicaSets = h('ul', { class: 'replicasets' });
      const el = h('article', { class: 'workload entering', 'data-kind': kind }, text, h('div', { class: 'bar', 'aria-hidden': 'true' }, updatedBar, readyBar), replicaSets);
      el.addEventListener('animationend', () => el.classList.remove('entering'), { once: true });
      card = { el, text, updatedBar, readyBar, replicaSets };
      this.cards.set(key, card);
    }
    card.el.dataset.name = obj.metadata.name;
    card.el.dataset.namespace = obj.metadata.namespace ?? '';
    card.el.style.setProperty('--hue', String(hueOf(`${kind}/${obj.metadata.namespace}/${obj.metadata.name}`)));
    return card;
  }

  private deploymentCard(deployment: KubeObject, owned: KubeObject[], seen: Set<string>): HTMLElement {
    const card = this.card(`Deployment/${deployment.metadata.uid}`, 'Deployment', deployment, seen);
    const p = rolloutProgress(deployment);
    const of = Math.max(p.desired, 1);
    card.updatedBar.style.width = `${Math.min(100, (100 * p.updated) / of)}%`;
    card.readyBar.style.width = `${Math.min(100, (100 * Math.min(p.ready, p.updated)) / of)}%`;
    card.el.classList.toggle('done', p.done);
    card.el.dataset.ready = String(p.ready);
    card.el.dataset.desired = String(p.desired);
    card.el.dataset.updated = String(p.updated);
    fill(card.text,
      this.link(deployment, `deploy/${deployment.metadata.name}`),
      h('span', { class: 'counts' }, `${p.ready}/${p.desired} ready · ${p.updated} updated · ${p.available} available`),
      h('span', { class: `rollout ${p.done ? 'ok' : 'moving'}` }, p.message));
    fill(card.replicaSets, ...owned.map((rs) => {
      const revision = rs.metadata.annotations?.['deployment.kubernetes.io/revision'];
      const status = rs.status ?? {};
      return h('li', {}, this.link(rs, `rs/${rs.metadata.name}`), revision ? h('span', { class: 'muted' }, ` rev ${revision}`) : '',
        h('span', { class: 'counts' }, ` ${status.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0} ready`));
    }));
    return card.el;
  }

  private replicaSetCard(rs: KubeObject, seen: Set<string>): HTMLElement {
    const card = this.card(`ReplicaSet/${rs.metadata.uid}`, 'ReplicaSet', rs, seen);
    const desired = rs.spec?.replicas ?? 1;
    const ready = rs.status?.readyReplicas ?? 0;
    const current = rs.status?.replicas ?? 0;
    card.updatedBar.style.width = `${Math.min(100, (100 * current) / Math.max(desired, 1))}%`;
    card.readyBar.style.width = `${Math.min(100, (100 * ready) / Math.max(desired, 1))}%`;
    card.el.classList.toggle('done', ready === desired && current === desired);
    card.el.dataset.ready = String(ready);
    card.el.dataset.desired = String(desired);
    fill(card.text, this.link(rs, `rs/${rs.metadata.name}`), h('span', { class: 'counts' }, `${ready}/${desired} ready · ${current} current`));
    card.replicaSets.replaceChildren();
    return card.el;
  }

  private link(obj: KubeObject, label: string): HTMLElement {
    const button = h('button', { type: 'button', class: 'obj-link', title: `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}: details` }, label);
    button.onclick = () => this.onSelect(obj);
    return button;
  }
}

function byName(a: KubeObject, b: KubeObject): number {
  return `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
}
