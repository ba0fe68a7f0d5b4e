// $(VAR) expansion, as Kubernetes does it in env values, command and args
// (third_party/forked/golang/expansion/expand.go):
//
//   $(NAME)      → NAME's value; left as `$(NAME)` when NAME is not defined
//   $$           → `$`, so `$$(NAME)` is the literal text `$(NAME)`
//   $ otherwise  → itself (`$NAME`, a lone `$`, an unclosed `$(`)
//
// Unlike a shell, an unknown variable is not replaced by nothing: the text
// stays, so a typo shows in the container's output.

// LAB(pods) begin: $(VAR) expansion
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$'; // an escaped operator
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$('; // an unclosed reference stays as it is
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += c + next;
      i += 2;
    }
  }
  return out;
}
// LAB end

/** A lookup in the given maps, the first that has the name winning. */
export function lookupIn(...maps: Record<string, string>[]): (name: string) => string | undefined {
  return (name) => {
    for (const map of maps) if (Object.hasOwn(map, name)) return map[name];
    return undefined;
  };
}
