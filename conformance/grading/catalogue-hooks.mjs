// Node module hook (https://nodejs.org/api/module.html#customization-hooks):
// while the catalogue is read, `import … from 'vitest'` in the check files
// resolves to vitest-stand-in.mjs instead of vitest itself. Registered by
// catalogue-dump.ts in its own process, so nothing else ever sees it.

const STAND_IN = new URL('./vitest-stand-in.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'vitest') return { url: STAND_IN, shortCircuit: true };
  return nextResolve(specifier, context);
}
