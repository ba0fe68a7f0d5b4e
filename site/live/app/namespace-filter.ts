// The namespace filter: all namespaces, or one. The choice lives in the
// address (#namespace=NAME), so a lesson can link straight to its namespace
// and a reload keeps it. Nodes belong to no namespace and are always shown.

import { h } from './dom.ts';
import type { ClusterStore } from './store.ts';

const ALL = '';

export class NamespaceFilter {
  private known = '';

  constructor(private readonly select: HTMLSelectElement, onChange: () => void) {
    select.addEventListener('change', () => {
      const params = new URLSearchParams(location.hash.slice(1));
      if (select.value === ALL) params.delete('namespace'); else params.set('namespace', select.value);
      history.replaceState(null, '', params.toString() ? `#${params}` : location.pathname);
      onChange();
    });
    window.addEventListener('hashchange', onChange);
  }

  /** The chosen namespace, or undefined for all of them. */
  get value(): string | undefined {
    return new URLSearchParams(location.hash.slice(1)).get('namespace') || undefined;
  }

  /** Offers every namespace that has something in it (and the chosen one, even if empty). */
  draw(store: ClusterStore): void {
    const chosen = this.value;
    const names = [...new Set([...store.namespaces(), ...(chosen ? [chosen] : [])])].sort();
    const signature = `${names.join(',')}|${chosen ?? ''}`;
    if (signature === this.known) return;
    this.known = signature;
    this.select.replaceChildren(h('option', { value: ALL }, 'all namespaces'), ...names.map((n) => h('option', { value: n }, n)));
    this.select.value = chosen ?? ALL;
  }
}
