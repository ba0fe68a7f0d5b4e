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
import type { KubeObject } from '../../api/types.ts';
import { KINDS, type FieldType, type Message } from './schemas.ts';
import { apiTime } from '../../api/time.ts';

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
  return apiTime(Number(seconds) * 1000);
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
