// One tile per pod: coloured by its owner's hue, filled when Running and
// Ready, hollow while not ready, dashed while Pending, red when Failed, fading
// while terminating. Tiles are kept by pod uid and updated in place, so CSS
// transitions show each change; a new tile slides in, a deleted one fades out.

import { shortName, type OwnerGroup } from './owners.ts';
import { podLook } from './pod-phase.ts';
import type { KubeObject } from './types.ts';

const LEAVE_MS = 450; // as long as the tile-leave animation in style.css

interface Tile {
  el: HTMLButtonElement;
  signature: string;
}

export class PodTiles {
  private readonly tiles = new Map<string, Tile>();

  constructor(private readonly onSelect: (pod: KubeObject) => void) {}

  /** The tile of a pod, made or brought up to date. */
  tile(pod: KubeObject, group: OwnerGroup): HTMLButtonElement {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
    let tile = this.tiles.get(uid);
    if (!tile) {
      const el = document.createElement('button');
      el.type = 'button';
      // The slide-in plays once: node-columns.ts takes the class away when it ends, so a move does not replay it.
      el.className = 'pod entering';
      el.dataset.uid = uid;
      tile = { el, signature: '' };
      this.tiles.set(uid, tile);
    }
    const look = podLook(pod);
    const name = pod.metadata.name;
    const signature = [pod.metadata.resourceVersion, group.key, group.hue].join('|');
    if (signature !== tile.signature) {
      tile.signature = signature;
      const el = tile.el;
      el.onclick = () => this.onSelect(pod);
      el.textContent = shortName(name);
      el.dataset.name = name;
      el.dataset.namespace = pod.metadata.namespace ?? '';
      el.dataset.owner = group.label;
      el.dataset.phase = look.phase;
      el.dataset.ready = String(look.ready);
      el.dataset.node = pod.spec?.nodeName ?? '';
      // One write of the class list rather than a toggle per class: a thousand tiles may change at once.
      el.className = ['pod', `phase-${look.phase.toLowerCase()}`, look.ready && 'ready', look.terminating && 'terminating',
        look.problem && 'problem', el.classList.contains('entering') && 'entering'].filter(Boolean).join(' ');
      el.style.setProperty('--hue', String(group.hue));
      const state = look.terminating ? 'Terminating' : look.problem ?? look.phase;
      el.title = `${pod.metadata.namespace}/${name}\nowner: ${group.label}\n${state}${look.phase === 'Running' ? (look.ready ? ', ready' : ', not ready') : ''}${look.restarts ? `, ${look.restarts} restarts` : ''}`;
      el.setAttribute('aria-label', `pod ${name}, ${state}${look.ready ? ', ready' : ''}`);
    }
    return tile.el;
  }

  /**
   * Takes away the tiles of pods not drawn in this pass: with a fade when the
   * pod is gone from the cluster, at once when it is only filtered out.
   */
  sweep(drawn: Set<string>, deleted: (uid: string) => boolean): void {
    for (const [uid, tile] of this.tiles) {
      if (drawn.has(uid)) continue;
      this.tiles.delete(uid);
      if (!deleted(uid) || !tile.el.isConnected) {
        tile.el.remove();
        continue;
      }
      tile.el.classList.add('leaving');
      tile.el.disabled = true;
      setTimeout(() => tile.el.remove(), LEAVE_MS);
    }
  }
}
