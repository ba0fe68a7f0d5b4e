// Writes an object as YAML, for the details panel: the form students know from
// `kubectl get -o yaml`. JSON's values only (what the API sends), so a few
// rules are enough; strings that YAML would read as something else are quoted.

const PLAIN = /^[A-Za-z_./][\w./:@-]*( [\w./:@()-]+)*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  return PLAIN.test(text) && !RESERVED.test(text) && !text.endsWith(':') && !text.includes(': ') ? text : JSON.stringify(text);
}

function isEmpty(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (typeof item !== 'object' || item === null || isEmpty(item)) return [`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`];
      const inner = lines(item, indent + '  ');
      return [`${indent}- ${inner[0].trimStart()}`, ...inner.slice(1)];
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => {
      const name = scalar(key);
      if (typeof item !== 'object' || item === null) {
        // Multi-line strings (a container's script) as block scalars.
        if (typeof item === 'string' && item.includes('\n')) return [`${indent}${name}: |-`, ...item.split('\n').map((l) => `${indent}  ${l}`)];
        return [`${indent}${name}: ${scalar(item)}`];
      }
      if (isEmpty(item)) return [`${indent}${name}: ${Array.isArray(item) ? '[]' : '{}'}`];
      // Lists sit at their key's indentation, as kubectl writes them.
      return [`${indent}${name}:`, ...lines(item, Array.isArray(item) ? indent : indent + '  ')];
    });
  }
  return [`${indent}${scalar(value)}`];
}

export function toYaml(value: unknown): string {
  return lines(value, '').join('\n') + '\n';
}
