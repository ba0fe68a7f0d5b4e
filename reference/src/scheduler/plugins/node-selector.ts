// Filter NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity): the pod
// chooses nodes by their labels, in two ways, and both must hold:
//
//   spec.nodeSelector: {disktype: ssd}              every label, exactly
//   spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution:
//     nodeSelectorTerms: [ {matchExpressions: [...], matchFields: [...]}, ... ]
//                                                    any one term (OR), each term
//                                                    all its requirements (AND)
//
// "IgnoredDuringExecution": a pod already running stays when labels change.

import { SUCCESS, unresolvable, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.ts';

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** Gt and Lt compare the label, read as an integer, with the one value given; anything else does not match. */
function compareInteger(value: string | undefined, bound: string | undefined, op: 'Gt' | 'Lt'): boolean {
  const integer = /^[+-]?\d+$/;
  if (value === undefined || bound === undefined || !integer.test(value) || !integer.test(bound)) return false;
  return op === 'Gt' ? Number(value) > Number(bound) : Number(value) < Number(bound);
}

/** One requirement against a map of labels (k8s.io/apimachinery/pkg/labels Requirement.Matches). */
export function matchesRequirement(labels: Record<string, string>, req: NodeSelectorRequirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'In': return has && (req.values ?? []).includes(value);
    case 'NotIn': return !has || !(req.values ?? []).includes(value);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt':
    case 'Lt': return has && compareInteger(value, req.values?.[0], req.operator);
    default: return false;
  }
}

/** A term matches when all its requirements do; a term with none matches nothing (component-helpers nodeaffinity). */
export function matchesTerm(node: { name: string; labels: Record<string, string> }, term: NodeSelectorTerm): boolean {
  const expressions = term.matchExpressions ?? [];
  // The only field a node can be selected by is metadata.name.
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  return expressions.every((r) => matchesRequirement(node.labels, r)) &&
    fields.every((r) => r.key === 'metadata.name' && matchesRequirement({ 'metadata.name': node.name }, r));
}

export function podMatchesNode(pod: PodInfo, node: NodeInfo): boolean {
  const labels: Record<string, string> = node.node?.metadata.labels ?? {};
  const selector: Record<string, string> | undefined = pod.pod.spec?.nodeSelector;
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  const terms: NodeSelectorTerm[] | undefined = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((term) => matchesTerm({ name: node.name, labels }, term));
}

export const nodeSelector: FilterPlugin = {
  name: 'NodeAffinity',
  filter(pod: PodInfo, node: NodeInfo): Status {
    return podMatchesNode(pod, node) ? SUCCESS : unresolvable("node(s) didn't match Pod's node affinity/selector");
  },
};
