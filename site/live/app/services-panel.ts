// Services: their type, ClusterIP and ports, and the pods behind them as the
// Endpoints object of the same name lists them: ready addresses (traffic goes
// there) and not-ready ones (it does not).
// https://kubernetes.io/docs/concepts/services-networking/service/#endpoints

import { fill, h } from './dom.ts';
import { shortName } from './owners.ts';
import type { ClusterStore } from './store.ts';
import type { KubeObject } from './types.ts';

export interface ServiceEndpoints {
  ready: string[];
  notReady: string[];
}

/** The pods (or addresses) an Endpoints object lists, ready and not ready. */
export function endpointsOf(endpoints: KubeObject | undefined): ServiceEndpoints {
  const name = (address: any) => address.targetRef?.name ?? address.ip;
  const subsets: any[] = endpoints?.subsets ?? [];
  return {
    ready: [...new Set(subsets.flatMap((s) => (s.addresses ?? []).map(name)))].sort(),
    notReady: [...new Set(subsets.flatMap((s) => (s.notReadyAddresses ?? []).map(name)))].sort(),
  };
}

export function drawServices(container: HTMLElement, store: ClusterStore, namespace: string | undefined, onSelect: (obj: KubeObject) => void): void {
  const services = store.list('Service', namespace)
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  if (services.length === 0) return fill(container, h('p', { class: 'empty' }, 'No Services here.'));
  fill(container, ...services.map((service) => {
    const spec = service.spec ?? {};
    const endpoints = endpointsOf(store.get('Endpoints', `${service.metadata.namespace}/${service.metadata.name}`));
    const ports = (spec.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(', ');
    const title = h('button', { type: 'button', class: 'obj-link', title: `Service ${service.metadata.namespace}/${service.metadata.name}: details` }, `svc/${service.metadata.name}`);
    title.onclick = () => onSelect(service);
    return h('article', { class: 'service', 'data-name': service.metadata.name, 'data-ready-endpoints': String(endpoints.ready.length) },
      h('div', {}, title, h('span', { class: 'muted' }, ` ${spec.type ?? 'ClusterIP'} ${spec.clusterIP ?? ''} ${ports}`)),
      h('div', { class: 'endpoints' },
        h('span', { class: 'counts' }, `${endpoints.ready.length} ready endpoint${endpoints.ready.length === 1 ? '' : 's'}`),
        ...endpoints.ready.map((name) => h('span', { class: 'endpoint ready', title: name }, shortName(name))),
        ...endpoints.notReady.map((name) => h('span', { class: 'endpoint', title: `${name} (not ready)` }, shortName(name)))));
  }));
}
