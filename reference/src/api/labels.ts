// Label selectors: the `?labelSelector=` query string and metav1.LabelSelector.
//
// A selector is a list of requirements that must all hold (comma means AND;
// there is no OR). The string syntax, its parser and its error messages follow
// k8s.io/apimachinery/pkg/labels/selector.go; the conversion from the
// matchLabels/matchExpressions form follows LabelSelectorAsSelector in
// k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go.

import type { LabelSelector } from './types.ts';

/** The operators of selector.go, spelled as Kubernetes spells them (selection.Operator). */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Empty for exists and !; one value for =, ==, !=, gt, lt; one or more for in and notin. */
  values: string[];
}

/** A selector string or a LabelSelector that cannot be parsed. The API server answers 400 with the message. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

// ---------------------------------------------------------------------------
// Validation of keys and values (k8s.io/apimachinery/pkg/util/validation/validation.go)
// ---------------------------------------------------------------------------

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const NAME_PART_FORMAT =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** IsQualifiedName: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) {
      errs.push('prefix part must be non-empty');
    } else if (prefix.length > 253) {
      errs.push('prefix part must be no more than 253 characters');
    } else if (!DNS_SUBDOMAIN.test(prefix)) {
      errs.push(
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
          "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
    }
  } else if (parts.length > 2) {
    return [`a qualified name ${NAME_PART_FORMAT} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) {
    errs.push('name part must be non-empty');
  } else if (name.length > 63) {
    errs.push('name part must be no more than 63 characters');
  }
  if (name.length > 0 && !NAME_PART.test(name)) {
    errs.push(`name part ${NAME_PART_FORMAT}`);
  }
  return errs;
}

/** IsValidLabelValue: empty, or at most 63 characters of the name alphabet. */
function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start " +
        "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation " +
        "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errs;
}

/** Formats like field.Invalid(path, value, detail).Error(); Go prints a nil path as "<nil>". */
function invalid(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

function checkKey(key: string, path: string): void {
  const errs = qualifiedNameErrors(key);
  if (errs.length > 0) throw new SelectorError(invalid(path, key, errs.join('; ')));
}

/**
 * NewRequirement in selector.go: checks the number of values for the operator
 * and that every value is a valid label value. Returns an error message or null.
 */
function requirementError(key: string, operator: LabelOperator, values: string[]): string | null {
  const errs: string[] = [];
  const qualified = qualifiedNameErrors(key);
  if (qualified.length > 0) errs.push(invalid('key', key, qualified.join('; ')));
  // Go prints the slice with %#v.
  const show = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(`values: Invalid value: ${show}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: ${show}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: ${show}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: ${show}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!/^[-+]?\d+$/.test(v)) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length === 0) return null;
  // An aggregate of one error prints as that error; of several, as "[a, b]".
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

function makeRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const err = requirementError(key, operator, values);
  if (err) throw new SelectorError(err);
  return { key, operator, values };
}

// ---------------------------------------------------------------------------
// The lexer: turns "a in (x, y),!b" into tokens
// ---------------------------------------------------------------------------

type TokenKind =
  | 'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

interface Token {
  kind: TokenKind;
  text: string;
}

/** Words and symbols with a meaning of their own; everything else is an identifier. */
const KEYWORDS: Record<string, TokenKind> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) => '=!(),><'.includes(ch);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos])) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: 'end', text: '' });
      return tokens;
    }
    if (isSpecial(input[pos])) {
      // The longest run of symbols that is still an operator ("!=" rather than "!").
      let buffer = '';
      let last: Token | null = null;
      while (pos < input.length && isSpecial(input[pos])) {
        buffer += input[pos];
        const kind = KEYWORDS[buffer];
        if (kind) {
          last = { kind, text: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      tokens.push(last ?? { kind: 'error', text: `error expected: keyword found '${buffer}'` });
    } else {
      let word = '';
      while (pos < input.length && !isSpecial(input[pos]) && !isWhitespace(input[pos])) word += input[pos++];
      tokens.push({ kind: KEYWORDS[word] ?? 'identifier', text: word });
    }
  }
}

// ---------------------------------------------------------------------------
// The parser: a recursive descent over the tokens, as in selector.go
// ---------------------------------------------------------------------------

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  /**
   * The next token. When a value is expected, "in" and "notin" are ordinary
   * words, so `x in (in)` works.
   */
  private peek(valueContext: boolean): Token {
    const token = this.tokens[this.position];
    if (valueContext && (token.kind === 'in' || token.kind === 'notin')) return { kind: 'identifier', text: token.text };
    return token;
  }

  private next(valueContext: boolean): Token {
    const token = this.peek(valueContext);
    this.position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const token = this.peek(true);
      if (token.kind === 'end') return requirements;
      if (token.kind !== 'identifier' && token.kind !== '!') {
        throw new SelectorError(`found '${token.text}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const after = this.next(true);
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') throw new SelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.kind !== 'identifier' && following.kind !== '!') {
        throw new SelectorError(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    // "!key" or "key": the operator is implied when nothing follows the key.
    let token = this.next(true);
    const negated = token.kind === '!';
    if (negated) token = this.next(true);
    if (token.kind !== 'identifier') throw new SelectorError(`found '${token.text}', expected: identifier`);
    const key = token.text;
    checkKey(key, '<nil>');
    // "!a" never takes an operator: in "!a=b" the caller then finds "=" where it wants "," or the end.
    if (negated) return makeRequirement(key, '!', []);
    const following = this.peek(true).kind;
    if (following === 'end' || following === ',') return makeRequirement(key, 'exists', []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValueSet() : [this.parseExactValue()];
    return makeRequirement(key, operator, values);
  }

  private parseOperator(): LabelOperator {
    const token = this.next(false);
    switch (token.kind) {
      case 'in': return 'in';
      case 'notin': return 'notin';
      case '=': return '=';
      case '==': return '==';
      case '!=': return '!=';
      case '>': return 'gt';
      case '<': return 'lt';
      default:
        throw new SelectorError(`found '${token.text}', expected: ${BINARY_OPERATORS}`);
    }
  }

  /** "(a, b, c)": a set, so duplicates collapse and the values come out sorted (parseValues). */
  private parseValueSet(): string[] {
    const open = this.next(true);
    if (open.kind !== '(') throw new SelectorError(`found '${open.text}' expected: '('`);
    const first = this.peek(true);
    if (first.kind === ')') {
      this.position++;
      return ['']; // "()" is the set holding the empty string
    }
    if (first.kind !== 'identifier' && first.kind !== ',') {
      throw new SelectorError(`found '${first.text}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifiers();
    if (this.next(true).kind !== ')') throw new SelectorError(`found '${first.text}', expected: ')'`);
    return [...values].sort();
  }

  /** The inside of "( … )". An empty entry, as in "(a,,b)" or "(a,)", is the empty string (parseIdentifiersList). */
  private parseIdentifiers(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const token = this.next(true);
      if (token.kind === 'identifier') {
        values.add(token.text);
        const after = this.peek(true);
        if (after.kind === ')') return values;
        if (after.kind !== ',') throw new SelectorError(`found '${after.text}', expected: ',' or ')'`);
      } else if (token.kind === ',') {
        if (values.size === 0) values.add(''); // "(,a)"
        const after = this.peek(true);
        if (after.kind === ')') {
          values.add(''); // "(a,)"
          return values;
        }
        if (after.kind === ',') {
          this.position++;
          values.add(''); // "(a,,b)"
        }
      } else {
        throw new SelectorError(`found '${token.text}', expected: ',', or identifier`);
      }
    }
  }

  /** The single value after =, ==, !=; "a=" (nothing before the comma or the end) means the empty string. */
  private parseExactValue(): string {
    const token = this.peek(true);
    if (token.kind === 'end' || token.kind === ',') return '';
    this.position++;
    if (token.kind !== 'identifier') throw new SelectorError(`found '${token.text}', expected: identifier`);
    return token.text;
  }
}

/** Sorts by key, keeping the written order among equal keys (selector.go sorts "to grant deterministic parsing"). */
function byKey(requirements: LabelRequirement[]): LabelRequirement[] {
  return [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Parses `?labelSelector=`: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, `a>1`, `a<1`, joined by commas. The empty string selects everything.
 * Throws SelectorError with Kubernetes' message on bad input.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return byKey(new Parser(tokenize(selector)).parse());
}

function matchesOne(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'in':
    case '=':
    case '==':
      return has && req.values.includes(value);
    case 'notin':
    case '!=':
      // A missing key satisfies "not equal" (Requirement.Matches in selector.go).
      return !has || !req.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[-+]?\d+$/.test(value)) return false;
      const actual = Number(value);
      const bound = Number(req.values[0]);
      return req.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/**
 * Whether labels satisfy every requirement. An empty list matches everything;
 * null (what selectorFromLabelSelector returns for a missing selector) matches nothing.
 */
export function matchesLabels(requirements: LabelRequirement[] | null, labels: Record<string, string> | undefined): boolean {
  if (requirements === null) return false;
  const set = labels ?? {};
  return requirements.every((req) => matchesOne(req, set));
}

/**
 * metav1.LabelSelector → requirements (LabelSelectorAsSelector). Each matchLabels
 * entry becomes `key=value`; matchExpressions map In/NotIn/Exists/DoesNotExist to
 * in/notin/exists/!. An empty selector `{}` selects everything; a missing one
 * (null or undefined) selects nothing and gives null.
 */
export function selectorFromLabelSelector(selector: LabelSelector | null | undefined): LabelRequirement[] | null {
  if (selector === null || selector === undefined) return null;
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push(makeRequirement(key, '=', [value]));
  }
  for (const expr of selector.matchExpressions ?? []) {
    const operators: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    const operator = operators[expr.operator];
    if (!operator) throw new SelectorError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(makeRequirement(expr.key, operator, [...(expr.values ?? [])]));
  }
  return byKey(requirements);
}

/** One requirement as Requirement.String() writes it: `a=b`, `!a`, `a in (x,y)` with sorted values. */
export function requirementToString(req: LabelRequirement): string {
  const symbols: Record<LabelOperator, string> = {
    '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '',
  };
  if (req.operator === 'exists') return req.key;
  if (req.operator === '!') return `!${req.key}`;
  const values = [...req.values].sort().join(',');
  const written = req.operator === 'in' || req.operator === 'notin' ? `(${values})` : values;
  return `${req.key}${symbols[req.operator]}${written}`;
}

/** A parsed selector back to its canonical string: requirements sorted by key, joined by commas. */
export function requirementsToString(requirements: LabelRequirement[]): string {
  return byKey(requirements).map(requirementToString).join(',');
}

/**
 * The canonical string of a metav1.LabelSelector, e.g. `app=web,tier in (a,b)`.
 * This is what a Deployment's or ReplicaSet's Scale reports in status.selector
 * (pkg/registry/apps/deployment/storage/storage.go scaleFromDeployment). An
 * empty or missing selector gives the empty string.
 */
export function labelSelectorToString(selector: LabelSelector | null | undefined): string {
  return requirementsToString(selectorFromLabelSelector(selector) ?? []);
}
