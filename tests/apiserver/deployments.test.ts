// Deployment defaults and validation as the API server applies them
// (SetDefaults_Deployment in pkg/apis/apps/v1/defaults.go; ValidateDeploymentSpec,
// ValidateDeploymentStrategy and ValidateRollingUpdateDeployment in
// pkg/apis/apps/validation/validation.go).

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { applyDefaults } from '../../reference/src/apiserver/defaults.ts';
import { validateCreate } from '../../reference/src/apiserver/validation/index.ts';

function deployment(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } },
      ...spec,
    },
  };
}

/** The field errors of a create, after defaulting, as "field: message". */
function errors(spec: Record<string, unknown>): string[] {
  const d = deployment(spec);
  applyDefaults(d);
  return validateCreate(d).map((e) => `${e.field}: ${e.message}`);
}

describe('Deployment defaults', () => {
  it('replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600', () => {
    const d = deployment();
    applyDefaults(d);
    expect(d.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    const recreate = deployment({ strategy: { type: 'Recreate' } });
    applyDefaults(recreate);
    expect(recreate.spec.strategy).toEqual({ type: 'Recreate' });
    expect(errors({})).toEqual([]);
  });
});

describe('Deployment validation', () => {
  it('maxSurge and maxUnavailable: not both 0, valid percentages, maxUnavailable at most 100%', () => {
    expect(errors({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }))
      .toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
    expect(errors({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: 0 } } })).toHaveLength(1);
    expect(errors({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: 1 } } })[0])
      .toMatch(/^spec\.strategy\.rollingUpdate\.maxSurge: Invalid value: "1": a valid percent string must be a numeric string followed by an ending '%'/);
    expect(errors({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '150%' } } }))
      .toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%']);
    expect(errors({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: -1, maxUnavailable: 1 } } }))
      .toEqual(['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('Recreate takes no rollingUpdate; an unknown type is refused', () => {
    expect(errors({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }))
      .toEqual(["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
    expect(errors({ strategy: { type: 'BlueGreen' } })[0]).toMatch(/^spec\.strategy\.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"/);
  });

  it('progressDeadlineSeconds must exceed minReadySeconds; revisionHistoryLimit may be 0 but not negative', () => {
    expect(errors({ minReadySeconds: 10, progressDeadlineSeconds: 10 }))
      .toEqual(['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds']);
    expect(errors({ minReadySeconds: 10, progressDeadlineSeconds: 11 })).toEqual([]);
    expect(errors({ revisionHistoryLimit: 0 })).toEqual([]);
    expect(errors({ revisionHistoryLimit: -1 })).toEqual(['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']);
  });
});
