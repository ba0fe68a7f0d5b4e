// A check failure that reads like a bug report: what was expected, what was
// seen, the objects involved, and a hint at what to look at next.

import { stringify } from 'yaml';

export class CheckFailure extends Error {
  constructor(
    readonly expected: string,
    readonly seen: string,
    readonly objects: { label: string; value: unknown }[] = [],
    readonly hint?: string,
  ) {
    super(CheckFailure.render(expected, seen, objects, hint));
    this.name = 'CheckFailure';
  }

  static render(expected: string, seen: string, objects: { label: string; value: unknown }[], hint?: string): string {
    const parts = [`expected: ${expected}`, `seen:     ${seen}`];
    for (const o of objects) {
      const text = typeof o.value === 'string' ? o.value : stringify(o.value, { lineWidth: 0 }).trimEnd();
      parts.push(`${o.label}:\n${text.split('\n').map((l) => `  ${l}`).join('\n')}`);
    }
    if (hint) parts.push(`hint: ${hint}`);
    return parts.join('\n');
  }
}
