// The selectors of a list or watch request, parsed once and applied to each object.

import type { KubeObject } from '../../api/types.ts';
import { badRequest } from '../errors.ts';
import type { ResourceType } from '../resources.ts';
import { parseLabelSelector, matchesLabels, SelectorError } from '../../api/labels.ts';
import { parseFieldSelector, matchesFields } from '../selectors/fields.ts';

export interface ObjectFilter {
  matches(obj: KubeObject): boolean;
}

/** Legacy field names Kubernetes still accepts (pkg/apis/core/v1/conversion.go). */
const FIELD_ALIASES: Record<string, Record<string, string>> = {
  Pod: { 'spec.host': 'spec.nodeName' },
};

export function parseFilter(resource: ResourceType, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  try {
    const labels = parseLabelSelector(labelSelector ?? '');
    const fields = parseFieldSelector(fieldSelector ?? '', resource.fieldSelectors, FIELD_ALIASES[resource.kind] ?? {});
    return {
      matches: (obj) => matchesLabels(labels, obj.metadata.labels ?? {}) && matchesFields(fields, obj),
    };
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

export const EVERYTHING: ObjectFilter = { matches: () => true };
