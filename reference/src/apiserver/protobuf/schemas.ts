// The protobuf schemas of the kinds kubectl sends as protobuf: for each message,
// field number → JSON field name and type. They transcribe the generated.proto
// files next to Kubernetes' Go types (staging/src/k8s.io/api/core/v1/generated.proto,
// apps/v1/generated.proto, apimachinery/pkg/apis/meta/v1/generated.proto), for the
// fields `kubectl create …` fills in. decode.ts walks the bytes with them.

// ---------------------------------------------------------------------------
// Schemas: field number → JSON name and type
// ---------------------------------------------------------------------------

export interface Message {
  name: string;
  fields: Record<number, Field>;
}

export type FieldType =
  | 'string'
  | 'int' //          any varint integer (int32, int64)
  | 'bool'
  | 'bytes' //        []byte: base64 in JSON
  | 'intOrString' //  intstr.IntOrString {1 type, 2 intVal, 3 strVal}
  | 'time' //         metav1.Time {1 seconds, 2 nanos}: an RFC 3339 string in JSON
  | 'quantity' //     resource.Quantity {1 string}: "500m", "1Gi"
  | { map: 'string' | 'bytes' | 'quantity' } // map<string, …>: entries {1 key, 2 value}
  | Message;

export interface Field {
  name: string;
  type: FieldType;
  /** A repeated field: a JSON list. */
  repeated?: boolean;
  /**
   * A pointer in Go (`*int32`, `*LabelSelector`). Go's generated code writes
   * every other field even when it holds its zero value ("", 0, false, {}),
   * which JSON would have omitted, so those are dropped. A pointer field is
   * written only when set, so its zero value means something and is kept
   * (`replicas: 0`, `emptyDir: {}`).
   */
  pointer?: boolean;
  /** An embedded struct whose fields appear directly in the parent's JSON (Volume.volumeSource). */
  inline?: boolean;
}

function field(name: string, type: FieldType, options: Omit<Field, 'name' | 'type'> = {}): Field {
  return { name, type, ...options };
}

const stringMap: FieldType = { map: 'string' };

const OWNER_REFERENCE: Message = {
  name: 'OwnerReference',
  fields: {
    1: field('kind', 'string'),
    3: field('name', 'string'),
    4: field('uid', 'string'),
    5: field('apiVersion', 'string'),
    6: field('controller', 'bool', { pointer: true }),
    7: field('blockOwnerDeletion', 'bool', { pointer: true }),
  },
};

const OBJECT_META: Message = {
  name: 'ObjectMeta',
  fields: {
    1: field('name', 'string'),
    2: field('generateName', 'string'),
    3: field('namespace', 'string'),
    4: field('selfLink', 'string'),
    5: field('uid', 'string'),
    6: field('resourceVersion', 'string'),
    7: field('generation', 'int'),
    8: field('creationTimestamp', 'time'),
    9: field('deletionTimestamp', 'time', { pointer: true }),
    10: field('deletionGracePeriodSeconds', 'int', { pointer: true }),
    11: field('labels', stringMap),
    12: field('annotations', stringMap),
    13: field('ownerReferences', OWNER_REFERENCE, { repeated: true }),
    14: field('finalizers', 'string', { repeated: true }),
  },
};

const LABEL_SELECTOR: Message = {
  name: 'LabelSelector',
  fields: {
    1: field('matchLabels', stringMap),
    2: field('matchExpressions', {
      name: 'LabelSelectorRequirement',
      fields: { 1: field('key', 'string'), 2: field('operator', 'string'), 3: field('values', 'string', { repeated: true }) },
    }, { repeated: true }),
  },
};

// --- core/v1 -------------------------------------------------------------

const LOCAL_OBJECT_REFERENCE: Message = { name: 'LocalObjectReference', fields: { 1: field('name', 'string') } };

const KEY_TO_PATH: Message = {
  name: 'KeyToPath',
  fields: { 1: field('key', 'string'), 2: field('path', 'string'), 3: field('mode', 'int', { pointer: true }) },
};

/** The volume types a hand-written manifest most often uses; every one is a pointer in Go. */
const VOLUME_SOURCE: Message = {
  name: 'VolumeSource',
  fields: {
    1: field('hostPath', {
      name: 'HostPathVolumeSource',
      fields: { 1: field('path', 'string'), 2: field('type', 'string', { pointer: true }) },
    }, { pointer: true }),
    2: field('emptyDir', {
      name: 'EmptyDirVolumeSource',
      fields: { 1: field('medium', 'string'), 2: field('sizeLimit', 'quantity', { pointer: true }) },
    }, { pointer: true }),
    6: field('secret', {
      name: 'SecretVolumeSource',
      fields: {
        1: field('secretName', 'string'),
        2: field('items', KEY_TO_PATH, { repeated: true }),
        3: field('defaultMode', 'int', { pointer: true }),
        4: field('optional', 'bool', { pointer: true }),
      },
    }, { pointer: true }),
    10: field('persistentVolumeClaim', {
      name: 'PersistentVolumeClaimVolumeSource',
      fields: { 1: field('claimName', 'string'), 2: field('readOnly', 'bool') },
    }, { pointer: true }),
    19: field('configMap', {
      name: 'ConfigMapVolumeSource',
      fields: {
        1: field('localObjectReference', LOCAL_OBJECT_REFERENCE, { inline: true }),
        2: field('items', KEY_TO_PATH, { repeated: true }),
        3: field('defaultMode', 'int', { pointer: true }),
        4: field('optional', 'bool', { pointer: true }),
      },
    }, { pointer: true }),
  },
};

const VOLUME: Message = {
  name: 'Volume',
  fields: { 1: field('name', 'string'), 2: field('volumeSource', VOLUME_SOURCE, { inline: true }) },
};

const CONTAINER_PORT: Message = {
  name: 'ContainerPort',
  fields: {
    1: field('name', 'string'),
    2: field('hostPort', 'int'),
    3: field('containerPort', 'int'),
    4: field('protocol', 'string'),
    5: field('hostIP', 'string'),
  },
};

const ENV_VAR: Message = { name: 'EnvVar', fields: { 1: field('name', 'string'), 2: field('value', 'string') } };

const RESOURCE_REQUIREMENTS: Message = {
  name: 'ResourceRequirements',
  fields: { 1: field('limits', { map: 'quantity' }), 2: field('requests', { map: 'quantity' }) },
};

const VOLUME_MOUNT: Message = {
  name: 'VolumeMount',
  fields: {
    1: field('name', 'string'),
    2: field('readOnly', 'bool'),
    3: field('mountPath', 'string'),
    4: field('subPath', 'string'),
    5: field('mountPropagation', 'string', { pointer: true }),
    6: field('subPathExpr', 'string'),
  },
};

const CONTAINER: Message = {
  name: 'Container',
  fields: {
    1: field('name', 'string'),
    2: field('image', 'string'),
    3: field('command', 'string', { repeated: true }),
    4: field('args', 'string', { repeated: true }),
    5: field('workingDir', 'string'),
    6: field('ports', CONTAINER_PORT, { repeated: true }),
    7: field('env', ENV_VAR, { repeated: true }),
    8: field('resources', RESOURCE_REQUIREMENTS),
    9: field('volumeMounts', VOLUME_MOUNT, { repeated: true }),
    13: field('terminationMessagePath', 'string'),
    14: field('imagePullPolicy', 'string'),
    16: field('stdin', 'bool'),
    17: field('stdinOnce', 'bool'),
    18: field('tty', 'bool'),
    20: field('terminationMessagePolicy', 'string'),
  },
};

const TOLERATION: Message = {
  name: 'Toleration',
  fields: {
    1: field('key', 'string'),
    2: field('operator', 'string'),
    3: field('value', 'string'),
    4: field('effect', 'string'),
    5: field('tolerationSeconds', 'int', { pointer: true }),
  },
};

const POD_SPEC: Message = {
  name: 'PodSpec',
  fields: {
    1: field('volumes', VOLUME, { repeated: true }),
    2: field('containers', CONTAINER, { repeated: true }),
    3: field('restartPolicy', 'string'),
    4: field('terminationGracePeriodSeconds', 'int', { pointer: true }),
    5: field('activeDeadlineSeconds', 'int', { pointer: true }),
    6: field('dnsPolicy', 'string'),
    7: field('nodeSelector', stringMap),
    8: field('serviceAccountName', 'string'),
    9: field('serviceAccount', 'string'),
    10: field('nodeName', 'string'),
    11: field('hostNetwork', 'bool'),
    15: field('imagePullSecrets', LOCAL_OBJECT_REFERENCE, { repeated: true }),
    16: field('hostname', 'string'),
    17: field('subdomain', 'string'),
    19: field('schedulerName', 'string'),
    20: field('initContainers', CONTAINER, { repeated: true }),
    22: field('tolerations', TOLERATION, { repeated: true }),
    24: field('priorityClassName', 'string'),
    30: field('enableServiceLinks', 'bool', { pointer: true }),
  },
};

const POD_TEMPLATE_SPEC: Message = {
  name: 'PodTemplateSpec',
  fields: { 1: field('metadata', OBJECT_META), 2: field('spec', POD_SPEC) },
};

const NAMESPACE: Message = {
  name: 'Namespace',
  fields: {
    1: field('metadata', OBJECT_META),
    2: field('spec', { name: 'NamespaceSpec', fields: { 1: field('finalizers', 'string', { repeated: true }) } }),
    3: field('status', { name: 'NamespaceStatus', fields: { 1: field('phase', 'string') } }),
  },
};

const CONFIG_MAP: Message = {
  name: 'ConfigMap',
  fields: {
    1: field('metadata', OBJECT_META),
    2: field('data', stringMap),
    3: field('binaryData', { map: 'bytes' }),
    4: field('immutable', 'bool', { pointer: true }),
  },
};

const SECRET: Message = {
  name: 'Secret',
  fields: {
    1: field('metadata', OBJECT_META),
    2: field('data', { map: 'bytes' }),
    3: field('type', 'string'),
    4: field('stringData', stringMap),
    5: field('immutable', 'bool', { pointer: true }),
  },
};

const SERVICE_PORT: Message = {
  name: 'ServicePort',
  fields: {
    1: field('name', 'string'),
    2: field('protocol', 'string'),
    3: field('port', 'int'),
    4: field('targetPort', 'intOrString'),
    5: field('nodePort', 'int'),
    6: field('appProtocol', 'string', { pointer: true }),
  },
};

const SERVICE: Message = {
  name: 'Service',
  fields: {
    1: field('metadata', OBJECT_META),
    2: field('spec', {
      name: 'ServiceSpec',
      fields: {
        1: field('ports', SERVICE_PORT, { repeated: true }),
        2: field('selector', stringMap),
        3: field('clusterIP', 'string'),
        4: field('type', 'string'),
        5: field('externalIPs', 'string', { repeated: true }),
        7: field('sessionAffinity', 'string'),
        8: field('loadBalancerIP', 'string'),
        9: field('loadBalancerSourceRanges', 'string', { repeated: true }),
        10: field('externalName', 'string'),
        11: field('externalTrafficPolicy', 'string'),
        12: field('healthCheckNodePort', 'int'),
        13: field('publishNotReadyAddresses', 'bool'),
        17: field('ipFamilyPolicy', 'string', { pointer: true }),
        18: field('clusterIPs', 'string', { repeated: true }),
        19: field('ipFamilies', 'string', { repeated: true }),
        20: field('allocateLoadBalancerNodePorts', 'bool', { pointer: true }),
        21: field('loadBalancerClass', 'string', { pointer: true }),
        22: field('internalTrafficPolicy', 'string', { pointer: true }),
      },
    }),
    // 3 status: a new Service's status is empty, so it is not decoded.
  },
};

// --- apps/v1 -------------------------------------------------------------

const DEPLOYMENT: Message = {
  name: 'Deployment',
  fields: {
    1: field('metadata', OBJECT_META),
    2: field('spec', {
      name: 'DeploymentSpec',
      fields: {
        1: field('replicas', 'int', { pointer: true }),
        2: field('selector', LABEL_SELECTOR, { pointer: true }),
        3: field('template', POD_TEMPLATE_SPEC),
        4: field('strategy', {
          name: 'DeploymentStrategy',
          fields: {
            1: field('type', 'string'),
            2: field('rollingUpdate', {
              name: 'RollingUpdateDeployment',
              fields: {
                1: field('maxUnavailable', 'intOrString', { pointer: true }),
                2: field('maxSurge', 'intOrString', { pointer: true }),
              },
            }, { pointer: true }),
          },
        }),
        5: field('minReadySeconds', 'int'),
        6: field('revisionHistoryLimit', 'int', { pointer: true }),
        7: field('paused', 'bool'),
        9: field('progressDeadlineSeconds', 'int', { pointer: true }),
      },
    }),
    // 3 status: empty on create, not decoded.
  },
};

// --- policy/v1 (staging/src/k8s.io/api/policy/v1/generated.proto) ------

const POD_DISRUPTION_BUDGET: Message = {
  name: 'PodDisruptionBudget',
  fields: {
    1: field('metadata', OBJECT_META),
    2: field('spec', {
      name: 'PodDisruptionBudgetSpec',
      fields: {
        1: field('minAvailable', 'intOrString', { pointer: true }),
        2: field('selector', LABEL_SELECTOR, { pointer: true }),
        3: field('maxUnavailable', 'intOrString', { pointer: true }),
        4: field('unhealthyPodEvictionPolicy', 'string', { pointer: true }),
      },
    }),
    // 3 status: reset on create, not decoded.
  },
};

// --- meta/v1 -------------------------------------------------------------

const DELETE_OPTIONS: Message = {
  name: 'DeleteOptions',
  fields: {
    1: field('gracePeriodSeconds', 'int', { pointer: true }),
    2: field('preconditions', {
      name: 'Preconditions',
      fields: { 1: field('uid', 'string', { pointer: true }), 2: field('resourceVersion', 'string', { pointer: true }) },
    }, { pointer: true }),
    3: field('orphanDependents', 'bool', { pointer: true }),
    4: field('propagationPolicy', 'string', { pointer: true }),
    5: field('dryRun', 'string', { repeated: true }),
  },
};

/** The kinds this server accepts as protobuf, by the kind named in the envelope. */
export const KINDS: Record<string, Message> = {
  Namespace: NAMESPACE,
  ConfigMap: CONFIG_MAP,
  Secret: SECRET,
  Service: SERVICE,
  Deployment: DEPLOYMENT,
  PodDisruptionBudget: POD_DISRUPTION_BUDGET,
  DeleteOptions: DELETE_OPTIONS,
};
