import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/minimal.js';
import { decodeProtobufObject, ProtobufError } from '../../reference/src/apiserver/protobuf/decode.ts';

// Small builders over protobufjs's Writer, so each test spells out the fields Go would write.
type Writer = InstanceType<typeof protobuf.Writer>;
type Part = (w: Writer) => void;

const str = (n: number, s: string): Part => (w) => void w.uint32((n << 3) | 2).string(s);
const int = (n: number, v: number): Part => (w) => void w.uint32(n << 3).int64(v);
const bool = (n: number, v: boolean): Part => (w) => void w.uint32(n << 3).bool(v);
const bytes = (n: number, b: Uint8Array): Part => (w) => void w.uint32((n << 3) | 2).bytes(b);
const msg = (n: number, ...parts: Part[]): Part => (w) => {
  w.uint32((n << 3) | 2).fork();
  for (const p of parts) p(w);
  w.ldelim();
};
/** A map<string,string> entry. */
const entry = (n: number, key: string, value: string): Part => msg(n, str(1, key), str(2, value));

function encode(...parts: Part[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const p of parts) p(w);
  return w.finish();
}

/** "k8s\0" + runtime.Unknown, as client-go writes it (empty contentEncoding and contentType included). */
function envelope(apiVersion: string, kind: string, ...raw: Part[]): Buffer {
  const unknown = encode(msg(1, str(1, apiVersion), str(2, kind)), bytes(2, encode(...raw)), str(3, ''), str(4, ''));
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}

/** ObjectMeta with the zero values Go writes for every non-pointer field. */
function meta(n: number, name: string, ...extra: Part[]): Part {
  return msg(n, str(1, name), str(2, ''), str(3, ''), str(4, ''), str(5, ''), str(6, ''), int(7, 0), msg(8), ...extra);
}

function decodeError(body: Buffer): ProtobufError {
  try {
    decodeProtobufObject(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtobufError);
    return err as ProtobufError;
  }
  throw new Error('expected a ProtobufError');
}

describe('protobuf request bodies', () => {
  it('decodes the exact bytes of `kubectl create namespace dev` (kubectl-wire.md §1.6)', () => {
    const hex =
      '6b387300' + '0a0f0a0276311209' + '4e616d657370616365' + '121b' + '0a13' + '0a03646576' +
      '1200' + '1a00' + '2200' + '2a00' + '3200' + '3800' + '4200' + '1200' + '1a020a00' + '1a00' + '2200';
    const body = Buffer.from(hex, 'hex');
    expect(body.length).toBe(54);
    expect(decodeProtobufObject(body)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
  });

  it('decodes a ConfigMap: data, binaryData as base64, immutable, empty values kept in maps', () => {
    const body = envelope('v1', 'ConfigMap',
      meta(1, 'settings', str(3, 'dev'), entry(11, 'app', 'web'), entry(11, 'empty', '')),
      entry(2, 'color', 'blue'), entry(2, 'blank', ''),
      msg(3, str(1, 'bin'), bytes(2, new Uint8Array([0, 1, 2]))),
      bool(4, false),
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'dev', labels: { app: 'web', empty: '' } },
      data: { color: 'blue', blank: '' },
      binaryData: { bin: 'AAEC' },
      immutable: false,
    });
  });

  it('decodes what `kubectl create service clusterip web --tcp=80:8080` sends', () => {
    const body = envelope('v1', 'Service',
      meta(1, 'web', entry(11, 'app', 'web')),
      msg(2,
        msg(1, str(1, '80-8080'), str(2, 'TCP'), int(3, 80), msg(4, int(1, 0), int(2, 8080), str(3, '')), int(5, 0)),
        entry(2, 'app', 'web'),
        str(3, ''), str(4, 'ClusterIP'), str(7, ''), str(8, ''), str(10, ''), str(11, ''), int(12, 0), bool(13, false),
      ),
      msg(3, msg(1)),
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 'web' },
        type: 'ClusterIP',
      },
    });
  });

  it('decodes a NodePort service with a named target port and a node port', () => {
    const body = envelope('v1', 'Service',
      meta(1, 'web'),
      msg(2, msg(1, str(2, 'TCP'), int(3, 80), msg(4, int(1, 1), int(2, 0), str(3, 'http')), int(5, 30080)), str(4, 'NodePort')),
    );
    expect(decodeProtobufObject(body).spec).toEqual({
      ports: [{ protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }],
      type: 'NodePort',
    });
  });

  it('decodes what `kubectl create deployment web --image=nginx --replicas=3 --port=80` sends', () => {
    const container = msg(2,
      str(1, 'nginx'), str(2, 'nginx'), str(5, ''),
      msg(6, str(1, ''), int(2, 0), int(3, 80), str(4, ''), str(5, '')),
      msg(8), str(13, ''), str(14, ''), bool(16, false), bool(17, false), bool(18, false), str(20, ''),
    );
    const podSpec = msg(2, container, str(3, ''), str(6, ''), str(8, ''), str(9, ''), str(10, ''), bool(11, false), str(16, ''), str(17, ''), str(19, ''));
    const body = envelope('apps/v1', 'Deployment',
      meta(1, 'web', entry(11, 'app', 'web')),
      msg(2,
        int(1, 3),
        msg(2, entry(1, 'app', 'web')),
        msg(3, meta(1, '', entry(11, 'app', 'web')), podSpec),
        msg(4, str(1, '')),
        int(5, 0),
        bool(7, false),
      ),
      msg(3),
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
  });

  it('keeps the zero values of pointer fields: replicas 0, emptyDir {}, maxUnavailable 0', () => {
    const body = envelope('apps/v1', 'Deployment',
      meta(1, 'web'),
      msg(2,
        int(1, 0),
        msg(2, msg(2, str(1, 'tier'), str(2, 'In'), str(3, 'a'), str(3, 'b'))),
        msg(3, msg(1), msg(2,
          msg(1, str(1, 'scratch'), msg(2, msg(2, str(1, '')))),
          msg(1, str(1, 'conf'), msg(2, msg(19, msg(1, str(1, 'app-config')), int(3, 420)))),
          msg(2, str(1, 'c'), str(2, 'i'), msg(8, msg(2, str(1, 'cpu'), msg(2, str(1, '100m'))))),
          int(4, 30),
        )),
        msg(4, str(1, 'RollingUpdate'), msg(2, msg(1, int(1, 0), int(2, 0), str(3, '')), msg(2, int(1, 1), int(2, 0), str(3, '25%')))),
        int(6, 10),
      ),
    );
    const spec = decodeProtobufObject(body).spec;
    expect(spec.replicas).toBe(0);
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.selector).toEqual({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] });
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } });
    expect(spec.template.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'conf', configMap: { name: 'app-config', defaultMode: 420 } },
    ]);
    expect(spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m' } });
    expect(spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.template).not.toHaveProperty('metadata');
  });

  it('decodes ObjectMeta timestamps, generation, finalizers, owner references, and skips unknown fields', () => {
    const body = envelope('v1', 'ConfigMap',
      msg(1,
        str(1, 'cm'), str(5, 'uid-1'), str(6, '42'), int(7, 2),
        msg(8, int(1, 1700000000), int(2, 0)),
        entry(12, 'note', 'hi'),
        msg(13, str(1, 'Deployment'), str(3, 'web'), str(4, 'uid-0'), str(5, 'apps/v1'), bool(6, true)),
        str(14, 'example.com/cleanup'),
        msg(17, str(1, 'kubectl-create')), // managedFields: not decoded
        int(99, 7), // a field from the future
      ),
      int(50, 1),
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm',
        uid: 'uid-1',
        resourceVersion: '42',
        generation: 2,
        creationTimestamp: '2023-11-14T22:13:20Z',
        annotations: { note: 'hi' },
        ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'uid-0', apiVersion: 'apps/v1', controller: true }],
        finalizers: ['example.com/cleanup'],
      },
    });
  });

  it('decodes DeleteOptions, keeping gracePeriodSeconds 0', () => {
    const body = envelope('v1', 'DeleteOptions',
      int(1, 0), msg(2, str(1, 'uid-9')), str(4, 'Background'), str(5, 'All'),
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-9' },
      propagationPolicy: 'Background',
      dryRun: ['All'],
    });
    expect(decodeProtobufObject(envelope('v1', 'DeleteOptions', int(1, -1))).gracePeriodSeconds).toBe(-1);
  });

  it('decodes a Secret: data as base64, stringData and type as strings', () => {
    const body = envelope('v1', 'Secret', meta(1, 's'), msg(2, str(1, 'password'), bytes(2, Buffer.from('hunter2'))), str(3, 'Opaque'));
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('hunter2').toString('base64') }, type: 'Opaque',
    });
  });

  it('rejects a body without the k8s\\0 prefix', () => {
    expect(decodeError(Buffer.from('{"kind":"Namespace"}')).message).toMatch(/does not start with "k8s\\x00"/);
    expect(decodeError(Buffer.from([0x6b, 0x38])).message).toMatch(/not a Kubernetes protobuf body/);
  });

  it('rejects kinds it cannot decode, naming the ones it can', () => {
    const err = decodeError(envelope('v1', 'Pod', meta(1, 'p')));
    expect(err.message).toMatch(/cannot decode Pod \(v1\) from protobuf; it decodes Namespace, ConfigMap/);
  });

  it('rejects truncated and mistyped bytes', () => {
    const good = envelope('v1', 'Namespace', meta(1, 'dev'));
    expect(decodeError(good.subarray(0, good.length - 8)).message).toMatch(/^malformed protobuf body: /);
    // metadata.name sent as a varint instead of a string
    const mistyped = envelope('v1', 'Namespace', msg(1, int(1, 5)));
    expect(decodeError(mistyped).message).toBe('malformed ObjectMeta: field 1 (name) has wire type 0, expected 2');
  });

  it('rejects a compressed body', () => {
    const unknown = encode(msg(1, str(1, 'v1'), str(2, 'Namespace')), bytes(2, new Uint8Array()), str(3, 'gzip'));
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
    expect(decodeError(body).message).toBe('unsupported protobuf content encoding "gzip"');
  });
});
