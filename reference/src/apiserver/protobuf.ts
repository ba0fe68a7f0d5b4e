// Decoding the protobuf request bodies kubectl ≥ 1.32 sends.
//
// Since 1.32, kubectl's typed clients (`create namespace|deployment|service|
// configmap|secret`, drain's fallback DELETE) send
// `Content-Type: application/vnd.kubernetes.protobuf` instead of JSON. The body is
//
//   "k8s\0"  then a runtime.Unknown message:
//     1 typeMeta        { 1 apiVersion, 2 kind }
//     2 raw             the object itself, encoded with the kind's .proto schema
//     3 contentEncoding (empty)
//     4 contentType     (empty)
//
// (k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go and
// runtime/generated.proto). The object schemas are the generated.proto files
// next to the Go types (staging/src/k8s.io/api/core/v1/generated.proto,
// apps/v1/generated.proto, apimachinery/pkg/apis/meta/v1/generated.proto).
//
// This file turns such a body into the JSON object kubectl would have sent, so
// the rest of the API server only ever sees JSON. It knows the few kinds kubectl
// sends this way, and only the fields those commands fill in; other fields are
// skipped, as protobuf decoders skip unknown fields.

import protobuf from 'protobufjs/minimal.js';
import type { KubeObject } from '../api/types.ts';

const { Reader } = protobuf;
type ReaderT = InstanceType<typeof Reader>;

/** A body that cannot be decoded: the API server answers 415 or 400 with the message. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

// ---------------------------------------------------------------------------
// Schemas: field number → JSON name and type
// ---------------------------------------------------------------------------

interface Message {
  name: string;
  fields: Record<number, Field>;
}

type FieldType =
  | 'string'
  | 'int' //          any varint integer (int32, int64)
  | 'bool'
  | 'bytes' //        []byte: base64 in JSON
  | 'intOrString' //  intstr.IntOrString {1 type, 2 intVal, 3 strVal}
  | 'time' //         metav1.Time {1 seconds, 2 nanos}: an RFC 3339 string in JSON
  | 'quantity' //     resource.Quantity {1 string}: "500m", "1Gi"
  | { map: 'string' | 'bytes' | 'quantity' } // map<string, …>: entries {1 key, 2 value}
  | Message;

interface Field {
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
const KINDS: Record<string, Message> = {
  Namespace: NAMESPACE,
  ConfigMap: CONFIG_MAP,
  Secret: SECRET,
  Service: SERVICE,
  Deployment: DEPLOYMENT,
  DeleteOptions: DELETE_OPTIONS,
};

// ---------------------------------------------------------------------------
// The wire format
// ---------------------------------------------------------------------------

/** Protobuf wire types: 0 varint, 2 length-delimited (strings, bytes, messages). */
const VARINT = 0;
const LENGTH_DELIMITED = 2;

function wireTypeOf(type: FieldType): number {
  return type === 'int' || type === 'bool' ? VARINT : LENGTH_DELIMITED;
}

/** int64 varints come back as Long objects; the values here are small enough for a JS number. */
function readInt(reader: ReaderT): number {
  return Number(reader.int64().toString());
}

/** Reads the fields of a small fixed message (map entry, IntOrString, Time, Quantity) by number. */
function readRawFields(bytes: Uint8Array): Map<number, Uint8Array | number> {
  const reader = Reader.create(bytes);
  const values = new Map<number, Uint8Array | number>();
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    if (wireType === VARINT) values.set(tag >>> 3, readInt(reader));
    else if (wireType === LENGTH_DELIMITED) values.set(tag >>> 3, reader.bytes());
    else reader.skipType(wireType);
  }
  return values;
}

/** A length-delimited field read by readRawFields, as UTF-8 text. */
function text(value: Uint8Array | number | undefined): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : '';
}

function decodeIntOrString(bytes: Uint8Array): number | string {
  const f = readRawFields(bytes);
  // type 0 is Int, 1 is String (k8s.io/apimachinery/pkg/util/intstr).
  return f.get(1) === 1 ? text(f.get(3)) : Number(f.get(2) ?? 0);
}

function decodeTime(bytes: Uint8Array): string {
  const seconds = readRawFields(bytes).get(1);
  if (seconds === undefined) return ''; // the zero Time: JSON has null, and it is dropped
  // RFC 3339 in UTC without fractions, as metav1.Time marshals.
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeQuantity(bytes: Uint8Array): string {
  return text(readRawFields(bytes).get(1));
}

/** One map entry {1 key, 2 value}. */
function decodeMapEntry(bytes: Uint8Array, valueType: 'string' | 'bytes' | 'quantity'): [string, string] {
  const reader = Reader.create(bytes);
  let key = '';
  let value = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === LENGTH_DELIMITED) key = reader.string();
    else if (tag >>> 3 === 2 && (tag & 7) === LENGTH_DELIMITED) {
      const raw = reader.bytes();
      if (valueType === 'string') value = Buffer.from(raw).toString('utf8');
      else if (valueType === 'bytes') value = Buffer.from(raw).toString('base64');
      else value = decodeQuantity(raw);
    } else reader.skipType(tag & 7);
  }
  return [key, value];
}

function readValue(reader: ReaderT, type: Exclude<FieldType, { map: string }>): unknown {
  switch (type) {
    case 'string': return reader.string();
    case 'int': return readInt(reader);
    case 'bool': return reader.bool();
    case 'bytes': return Buffer.from(reader.bytes()).toString('base64');
    case 'intOrString': return decodeIntOrString(reader.bytes());
    case 'time': return decodeTime(reader.bytes());
    case 'quantity': return decodeQuantity(reader.bytes());
    default: return decodeMessage(reader.bytes(), type);
  }
}

function isZero(value: unknown): boolean {
  if (value === undefined || value === '' || value === 0 || value === false) return true;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Decodes one message into a JSON object, following its schema. */
function decodeMessage(bytes: Uint8Array, message: Message): Record<string, unknown> {
  const reader = Reader.create(bytes);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    const f = message.fields[number];
    if (!f) {
      reader.skipType(wireType); // a field this server does not know: skipped, like any protobuf decoder does
      continue;
    }
    const expected = wireTypeOf(f.type);
    if (wireType !== expected) {
      throw new ProtobufError(`malformed ${message.name}: field ${number} (${f.name}) has wire type ${wireType}, expected ${expected}`);
    }
    if (typeof f.type === 'object' && 'map' in f.type) {
      const [key, value] = decodeMapEntry(reader.bytes(), f.type.map);
      const map = (out[f.name] ??= {}) as Record<string, string>;
      map[key] = value;
    } else if (f.repeated) {
      ((out[f.name] ??= []) as unknown[]).push(readValue(reader, f.type));
    } else if (f.inline) {
      Object.assign(out, readValue(reader, f.type));
    } else {
      out[f.name] = readValue(reader, f.type);
    }
  }
  // Drop what Go wrote only because proto2 writes zero values (see Field.pointer).
  for (const f of Object.values(message.fields)) {
    if (!f.pointer && !f.repeated && isZero(out[f.name])) delete out[f.name];
  }
  return out;
}

// ---------------------------------------------------------------------------
// The envelope
// ---------------------------------------------------------------------------

/** "k8s" and a zero byte: what every Kubernetes protobuf body starts with. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

/** runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}. */
function decodeEnvelope(bytes: Uint8Array): Envelope {
  const envelope: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    if ((tag & 7) !== LENGTH_DELIMITED) {
      reader.skipType(tag & 7);
    } else if (number === 1) {
      const typeMeta = readRawFields(reader.bytes());
      envelope.apiVersion = text(typeMeta.get(1));
      envelope.kind = text(typeMeta.get(2));
    } else if (number === 2) {
      envelope.raw = reader.bytes();
    } else if (number === 3) {
      envelope.contentEncoding = reader.string();
    } else {
      reader.skipType(LENGTH_DELIMITED); // 4 contentType, or anything newer
    }
  }
  return envelope;
}

/**
 * Decodes an `application/vnd.kubernetes.protobuf` request body into the JSON
 * object kubectl would have sent: `{apiVersion, kind, metadata, …}`. For
 * DeleteOptions the result has no metadata, like its JSON form.
 * @throws ProtobufError on a missing "k8s\0" prefix, a kind this server cannot
 *   decode, or bytes that are not valid protobuf.
 */
export function decodeProtobufObject(body: Buffer | Uint8Array): KubeObject {
  if (body.length < MAGIC.length || !MAGIC.equals(Buffer.from(body.subarray(0, MAGIC.length)))) {
    throw new ProtobufError('not a Kubernetes protobuf body: it does not start with "k8s\\x00"');
  }
  try {
    const envelope = decodeEnvelope(body.subarray(MAGIC.length));
    if (envelope.contentEncoding !== '') {
      throw new ProtobufError(`unsupported protobuf content encoding ${JSON.stringify(envelope.contentEncoding)}`);
    }
    const schema = KINDS[envelope.kind];
    if (!schema) {
      const known = Object.keys(KINDS).join(', ');
      throw new ProtobufError(
        `this server cannot decode ${envelope.kind || 'an unnamed kind'} (${envelope.apiVersion}) from protobuf; ` +
          `it decodes ${known}. Send the object as JSON instead`,
      );
    }
    const object = decodeMessage(envelope.raw, schema);
    const result: Record<string, unknown> = { apiVersion: envelope.apiVersion, kind: envelope.kind, ...object };
    if (Object.values(schema.fields).some((f) => f.name === 'metadata')) result.metadata ??= {};
    return result as KubeObject;
  } catch (err) {
    if (err instanceof ProtobufError) throw err;
    throw new ProtobufError(`malformed protobuf body: ${(err as Error).message}`);
  }
}
