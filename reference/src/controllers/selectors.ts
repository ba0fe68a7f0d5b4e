// Label selectors as controllers use them.

import { matchesLabels, selectorFromLabelSelector } from '../api/labels.ts';
import type { KubeObject, LabelSelector } from '../api/types.ts';

/**
 * Whether a controller with this selector manages an object with these labels.
 * An empty or missing selector selects nothing here: validation refuses empty
 * selectors for ReplicaSets and Deployments, and a controller must never
 * claim every pod of a namespace by accident.
 */
export function selects(selector: LabelSelector | undefined, obj: KubeObject): boolean {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) return false;
  try {
    return matchesLabels(selectorFromLabelSelector(selector), obj.metadata.labels);
  } catch {
    return false; // an invalid selector selects nothing
  }
}

/** Whether labels include every key/value of wanted (a Service's selector, a template's labels). */
export function hasLabels(obj: KubeObject, wanted: Record<string, string> | undefined): boolean {
  const labels = obj.metadata.labels ?? {};
  return Object.entries(wanted ?? {}).every(([k, v]) => labels[k] === v);
}
