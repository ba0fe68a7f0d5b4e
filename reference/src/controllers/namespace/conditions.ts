// The conditions a namespace being deleted reports in status.conditions, so
// that `kubectl describe namespace` says why it is still there
// (pkg/controller/namespace/deletion/status_condition_utils.go in Kubernetes).
//
// Each of the five types is always present once deletion started: status
// "False" with a reassuring message when that thing is fine, "True" with the
// details when it is not. A condition keeps its lastTransitionTime until its
// status, reason or message changes.

/** What one pass over the namespace's content found. */
export interface DeletionReport {
  /** Group versions whose discovery document could not be read: "metrics.k8s.io/v1beta1: <error>". */
  discoveryErrors: string[];
  /** Kinds whose content could not be deleted or listed, with the error. */
  contentErrors: string[];
  /** Objects left per resource, named like "pods." or "replicasets.apps" (resource.group). */
  remaining: Map<string, number>;
  /** Objects left per finalizer they still carry. */
  finalizers: Map<string, number>;
}

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export function emptyReport(): DeletionReport {
  return { discoveryErrors: [], contentErrors: [], remaining: new Map(), finalizers: new Map() };
}

type Problem = { reason: string; message: string } | undefined;

/** Every condition type the namespace controller keeps, with what it says when all is well. */
const CONDITIONS: { type: string; okReason: string; okMessage: string; problem: (r: DeletionReport) => Problem }[] = [
  {
    type: 'NamespaceDeletionDiscoveryFailure', okReason: 'ResourcesDiscovered', okMessage: 'All resources successfully discovered',
    problem: (r) => r.discoveryErrors.length === 0 ? undefined : {
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${r.discoveryErrors.length} failing: unable to retrieve the complete list of server APIs: ${[...r.discoveryErrors].sort().join(', ')}`,
    },
  },
  {
    // Kubernetes parses the group versions of legacy kinds here; discovery hands us parsed ones.
    type: 'NamespaceDeletionGroupVersionParsingFailure', okReason: 'ParsedGroupVersions', okMessage: 'All legacy kube types successfully parsed',
    problem: () => undefined,
  },
  {
    type: 'NamespaceDeletionContentFailure', okReason: 'ContentDeleted', okMessage: 'All content successfully deleted, may be waiting on finalization',
    problem: (r) => r.contentErrors.length === 0 ? undefined : {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${r.contentErrors.length} remaining: ${[...r.contentErrors].sort().join(', ')}`,
    },
  },
  {
    type: 'NamespaceContentRemaining', okReason: 'ContentRemoved', okMessage: 'All content successfully removed',
    problem: (r) => r.remaining.size === 0 ? undefined : {
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${counted(r.remaining, (name, n) => `${name} has ${n} resource instances`)}`,
    },
  },
  {
    type: 'NamespaceFinalizersRemaining', okReason: 'ContentHasNoFinalizers', okMessage: 'All content-preserving finalizers finished',
    problem: (r) => r.finalizers.size === 0 ? undefined : {
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${counted(r.finalizers, (name, n) => `${name} in ${n} resource instances`)}`,
    },
  },
];

/** "a has 1 …, b has 2 …", sorted so that the same content always gives the same message (and no needless write). */
function counted(counts: Map<string, number>, phrase: (name: string, n: number) => string): string {
  return [...counts].filter(([, n]) => n > 0).map(([name, n]) => phrase(name, n)).sort().join(', ');
}

/**
 * The namespace's conditions after a pass that found `report`: conditions of
 * other types are kept, ours are added or updated in place.
 */
export function namespaceConditions(report: DeletionReport, current: NamespaceCondition[], now: string): NamespaceCondition[] {
  const next = current.map((c) => ({ ...c }));
  for (const { type, okReason, okMessage, problem } of CONDITIONS) {
    const found = problem(report);
    const wanted = found
      ? { type, status: 'True' as const, lastTransitionTime: now, ...found }
      : { type, status: 'False' as const, lastTransitionTime: now, reason: okReason, message: okMessage };
    const old = next.find((c) => c.type === type);
    if (!old) next.push(wanted);
    else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) Object.assign(old, wanted);
  }
  return next;
}
