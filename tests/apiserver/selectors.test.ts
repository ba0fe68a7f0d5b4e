import { describe, expect, it } from 'vitest';
import {
  labelSelectorToString,
  matchesLabels,
  parseLabelSelector,
  requirementsToString,
  SelectorError,
  selectorFromLabelSelector,
} from '../../reference/src/api/labels.ts';
import { fieldValues, matchesFields, parseFieldSelector } from '../../reference/src/apiserver/selectors/fields.ts';

const web = { app: 'web', tier: 'fe' };
const db = { app: 'db' };
const bare = {};

function selects(selector: string, labels: Record<string, string>): boolean {
  return matchesLabels(parseLabelSelector(selector), labels);
}

function parseError(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (err) {
    expect(err).toBeInstanceOf(SelectorError);
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(selector)} to fail`);
}

describe('label selector parsing', () => {
  it('parses every operator into requirements sorted by key', () => {
    expect(parseLabelSelector('z=1,a==2,m!=3')).toEqual([
      { key: 'a', operator: '==', values: ['2'] },
      { key: 'm', operator: '!=', values: ['3'] },
      { key: 'z', operator: '=', values: ['1'] },
    ]);
    expect(parseLabelSelector('env in (prod, dev),tier notin (x),gpu,!legacy')).toEqual([
      { key: 'env', operator: 'in', values: ['dev', 'prod'] },
      { key: 'gpu', operator: 'exists', values: [] },
      { key: 'legacy', operator: '!', values: [] },
      { key: 'tier', operator: 'notin', values: ['x'] },
    ]);
  });

  it('tolerates whitespace around keys, operators and values', () => {
    expect(parseLabelSelector('  app = web ,  tier  in ( a ,b )  , ! old ')).toEqual([
      { key: 'app', operator: '=', values: ['web'] },
      { key: 'old', operator: '!', values: [] },
      { key: 'tier', operator: 'in', values: ['a', 'b'] },
    ]);
  });

  it('accepts prefixed keys, empty values and "in" as a value', () => {
    expect(parseLabelSelector('example.com/role=')).toEqual([{ key: 'example.com/role', operator: '=', values: [''] }]);
    expect(parseLabelSelector('x in (in,notin)')).toEqual([{ key: 'x', operator: 'in', values: ['in', 'notin'] }]);
    expect(parseLabelSelector('x in (a,,b)')[0].values).toEqual(['', 'a', 'b']);
    expect(parseLabelSelector('x in ()')[0].values).toEqual(['']);
    expect(parseLabelSelector('x in (b,a,)')[0].values).toEqual(['', 'a', 'b']);
    expect(parseLabelSelector('x in (a,a)')[0].values).toEqual(['a']);
    expect(parseLabelSelector('n>3')).toEqual([{ key: 'n', operator: 'gt', values: ['3'] }]);
  });

  it('treats the empty selector as "everything"', () => {
    expect(parseLabelSelector('')).toEqual([]);
    expect(selects('', bare)).toBe(true);
  });

  it('rejects malformed selectors with Kubernetes messages', () => {
    expect(parseError('a b')).toBe('unable to parse requirement: found \'b\', expected: in, notin, =, ==, !=, gt, lt');
    expect(parseError('a=b,')).toBe("found '', expected: identifier after ','");
    expect(parseError(',a')).toBe("found ',', expected: !, identifier, or 'end of string'");
    expect(parseError('a=b c')).toBe("found 'c', expected: ',' or 'end of string'");
    expect(parseError('!a=b')).toBe("found '=', expected: ',' or 'end of string'");
    expect(parseError('a in b')).toBe("unable to parse requirement: found 'b' expected: '('");
    expect(parseError('a in (b')).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    expect(parseError('a in (=)')).toBe("unable to parse requirement: found '=', expected: ',', ')' or identifier");
  });

  it('validates keys and values like Kubernetes', () => {
    expect(parseError('-a=b')).toMatch(/^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric/);
    expect(parseError('a=-b')).toMatch(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be/);
    expect(parseError(`a=${'v'.repeat(64)}`)).toMatch(/must be no more than 63 characters/);
    expect(parseError('Bad_Prefix/a=b')).toMatch(/prefix part a lowercase RFC 1123 subdomain/);
  });
});

describe('label selector matching', () => {
  it('matches equality operators', () => {
    expect(selects('app=web', web)).toBe(true);
    expect(selects('app==web', db)).toBe(false);
    expect(selects('app=web,tier=fe', web)).toBe(true);
    expect(selects('app=web,tier=be', web)).toBe(false);
  });

  it('lets != and notin match objects without the key', () => {
    expect(selects('tier!=fe', db)).toBe(true);
    expect(selects('tier!=fe', web)).toBe(false);
    expect(selects('tier notin (fe,be)', bare)).toBe(true);
    expect(selects('app notin (web)', web)).toBe(false);
  });

  it('requires the key for in, and checks presence for exists and !', () => {
    expect(selects('app in (web,db)', db)).toBe(true);
    expect(selects('app in (web,db)', bare)).toBe(false);
    expect(selects('tier', web)).toBe(true);
    expect(selects('tier', db)).toBe(false);
    expect(selects('!tier', db)).toBe(true);
    expect(selects('!tier', web)).toBe(false);
  });

  it('compares gt and lt numerically and never matches a non-number', () => {
    expect(selects('n>3', { n: '10' })).toBe(true);
    expect(selects('n<3', { n: '10' })).toBe(false);
    expect(selects('n>3', { n: 'ten' })).toBe(false);
  });

  it('matches nothing for a null selector', () => {
    expect(matchesLabels(null, web)).toBe(false);
  });
});

describe('metav1.LabelSelector', () => {
  it('turns matchLabels and matchExpressions into requirements', () => {
    const reqs = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'gpu', operator: 'Exists' },
        { key: 'old', operator: 'DoesNotExist' },
      ],
    });
    expect(reqs?.map((r) => `${r.key}:${r.operator}`)).toEqual(['app:=', 'env:notin', 'gpu:exists', 'old:!', 'tier:in']);
    expect(matchesLabels(reqs, { app: 'web', tier: 'a', gpu: '' })).toBe(true);
    expect(matchesLabels(reqs, { app: 'web', tier: 'a', gpu: '', old: 'y' })).toBe(false);
    expect(matchesLabels(reqs, { app: 'web', tier: 'c', gpu: '' })).toBe(false);
  });

  it('selects everything when empty and nothing when missing', () => {
    expect(matchesLabels(selectorFromLabelSelector({}), bare)).toBe(true);
    expect(selectorFromLabelSelector(undefined)).toBeNull();
    expect(matchesLabels(selectorFromLabelSelector(null), web)).toBe(false);
  });

  it('rejects unknown operators and In without values', () => {
    expect(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt' as never }] })).toThrow(
      '"Gt" is not a valid label selector operator',
    );
    expect(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(
      "values set can't be empty",
    );
  });

  it('prints the canonical string used by Scale status.selector', () => {
    expect(labelSelectorToString({ matchLabels: { tier: 'fe', app: 'web' } })).toBe('app=web,tier=fe');
    expect(
      labelSelectorToString({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['b', 'a'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'old', operator: 'DoesNotExist' },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
        ],
      }),
    ).toBe('app=web,env notin (prod),gpu,!old,tier in (a,b)');
    expect(labelSelectorToString({})).toBe('');
    expect(labelSelectorToString(undefined)).toBe('');
  });

  it('round-trips a parsed selector through its string form', () => {
    const text = 'app=web,env notin (prod),tier in (a,b)';
    expect(requirementsToString(parseLabelSelector(text))).toBe(text);
  });
});

describe('field selectors', () => {
  const podFields = ['spec.nodeName', 'status.phase', 'status.podIPs', 'spec.hostNetwork'];
  const podAliases = { 'spec.host': 'spec.nodeName' };
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'node1', hostNetwork: true },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] },
  };
  const pending = { metadata: { name: 'web-2', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } };

  function fieldsMatch(selector: string, obj: unknown): boolean {
    return matchesFields(parseFieldSelector(selector, podFields, podAliases), obj);
  }

  it('parses =, == and != joined by commas', () => {
    expect(parseFieldSelector('spec.nodeName=node1,status.phase!=Failed,metadata.name==x', podFields)).toEqual([
      { field: 'metadata.name', operator: '==', value: 'x' },
      { field: 'spec.nodeName', operator: '=', value: 'node1' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    expect(parseFieldSelector('')).toEqual([]);
  });

  it('matches names, namespaces and spec fields', () => {
    expect(fieldsMatch('metadata.name=web-1', pod)).toBe(true);
    expect(fieldsMatch('metadata.namespace=kube-system', pod)).toBe(false);
    expect(fieldsMatch('spec.nodeName=node1,status.phase!=Succeeded,status.phase!=Failed', pod)).toBe(true);
    expect(fieldsMatch('spec.nodeName=node1,status.phase=Pending', pod)).toBe(false);
  });

  it('selects unscheduled pods with an empty value', () => {
    expect(fieldsMatch('spec.nodeName=', pending)).toBe(true);
    expect(fieldsMatch('spec.nodeName=', pod)).toBe(false);
  });

  it('compares booleans as strings, a missing hostNetwork or unschedulable reading "false"', () => {
    expect(fieldsMatch('spec.hostNetwork=true', pod)).toBe(true);
    expect(fieldsMatch('spec.hostNetwork=false', pending)).toBe(true);
    const node = { metadata: { name: 'n1' }, spec: { unschedulable: true } };
    expect(matchesFields(parseFieldSelector('spec.unschedulable=true', ['spec.unschedulable']), node)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.unschedulable=false', ['spec.unschedulable']), { metadata: {}, spec: {} })).toBe(true);
    expect(matchesFields(parseFieldSelector('status.replicas=3', ['status.replicas']), { status: { replicas: 3 } })).toBe(true);
  });

  it('matches status.podIPs when any address equals the value', () => {
    expect(fieldsMatch('status.podIPs=fd00::5', pod)).toBe(true);
    expect(fieldsMatch('status.podIPs=10.0.0.9', pod)).toBe(false);
    expect(fieldsMatch('status.podIPs!=10.0.0.5', pod)).toBe(false);
    expect(fieldValues(pending, 'status.podIPs')).toEqual(['']);
  });

  it('accepts the legacy spec.host alias for spec.nodeName', () => {
    expect(parseFieldSelector('spec.host=node1', podFields, podAliases)).toEqual([
      { field: 'spec.nodeName', operator: '=', value: 'node1' },
    ]);
    expect(fieldsMatch('spec.host=node1', pod)).toBe(true);
  });

  it('rejects unknown fields listing the allowed ones', () => {
    expect(() => parseFieldSelector('foo.bar=x')).toThrow(
      new SelectorError('"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    );
    expect(() => parseFieldSelector('spec.host=x', ['spec.unschedulable'])).toThrow(
      '"spec.host" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.unschedulable"',
    );
  });

  it('rejects terms without an operator and bad escapes', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow("invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    expect(() => parseFieldSelector('metadata.name=a=b')).toThrow('unescaped character in value: =');
    expect(() => parseFieldSelector('metadata.name=a\\x')).toThrow('invalid escape sequence: \\x');
  });

  it('unescapes commas and equals signs in values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b\\=c')).toEqual([{ field: 'metadata.name', operator: '=', value: 'a,b=c' }]);
  });
});
