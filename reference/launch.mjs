// Starts one program of the reference from its TypeScript source:
//
//   node reference/launch.mjs reference/src/apiserver/main.ts [arguments…]
//
// Why not `node --import tsx reference/src/apiserver/main.ts`, which works too:
// tsx compiles each of a program's modules through a loader thread every time
// the program starts, about a second of CPU for the API server. A cluster
// starts six such processes, and the harness starts clusters often (every
// test run, every restart of the control plane). This launcher bundles the
// program with esbuild the first time, keeps the bundle in
// node_modules/.cache/kubelab/, and starts from it while none of the
// program's source files has changed (it compares their sizes and times). A
// stack trace still names the .ts files and lines (source maps).
//
// Plain JavaScript, so that Node runs it without a loader.

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A bundle folder no manifest names any more is deleted once it is this old (a process may still be loading it). */
const OLD_BUNDLE_MS = 60_000;

/**
 * The main file of the bundle of the program whose main file is `entry` (a
 * path), made or remade if a source file changed: import it to run the
 * program. The kubelab command line starts itself the same way (bin/kubelab.js).
 */
export async function bundledProgram(entry) {
  entry = resolve(entry);
  // Beside the packages the bundle imports: it finds them from there, as the source files do.
  const cacheDir = writableDir(join(nodeModulesAbove(dirname(fileURLToPath(import.meta.url))), '.cache', 'kubelab'))
    ?? writableDir(join(tmpdir(), 'kubelab-bundles'));
  // One bundle per program file (the same program in another folder, such as a copy, has its own).
  const key = createHash('sha256').update(entry).digest('hex').slice(0, 16);
  const manifestFile = join(cacheDir, `${key}.json`);
  let manifest = upToDate(manifestFile, entry);
  if (!manifest) manifest = await bundleProgram(entry, cacheDir, key);
  // Stack traces name the .ts files and their lines.
  process.setSourceMapsEnabled(true);
  return join(cacheDir, manifest.folder, 'main.js');
}

// Run as a script: start the program named by the first argument.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const [entry, ...programArguments] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node reference/launch.mjs <program.ts> [arguments…]\n');
    process.exit(2);
  }
  const main = await bundledProgram(entry);
  // The program sees the arguments it would see if it had been started directly.
  process.argv = [process.argv[0], resolve(entry), ...programArguments];
  await import(pathToFileURL(main).href);
}

/** The nearest node_modules folder in dir or above it. */
function nodeModulesAbove(dir) {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (dirname(at) === at) return join(dir, 'node_modules');
  }
}

/** The folder, created if needed, or undefined if it cannot be made. */
function writableDir(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return undefined;
  }
}

/** The manifest, if it exists and every source file it lists is as it was when the bundle was made. */
function upToDate(file, entry) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.entry !== entry || !existsSync(join(dirname(file), manifest.folder, 'main.js'))) return undefined;
  const unchanged = manifest.inputs.every(({ path, size, mtimeMs }) => {
    try {
      const now = statSync(path);
      return now.size === size && now.mtimeMs === mtimeMs;
    } catch {
      return false; // deleted or renamed
    }
  });
  return unchanged ? manifest : undefined;
}

/**
 * Bundles the program into a folder named after its contents: main.js, and one
 * chunk per module loaded with `await import(…)`, so that a command line loads
 * only what the command it runs needs. Packages stay imports, resolved from
 * node_modules. Several processes may do this at once (three node agents
 * starting together): each writes a folder of its own and renames it into
 * place, and then the manifest that names it, so none reads a half-written
 * bundle, and all of them run the same one.
 */
async function bundleProgram(entry, cacheDir, key) {
  const staging = join(cacheDir, `${key}.${process.pid}.tmp`);
  const result = await build({
    entryPoints: { main: entry },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    outdir: staging,
    banner: { js: '// Made by reference/launch.mjs from the TypeScript sources; remade when they change.' },
    logLevel: 'error',
    plugins: [keepImportMetaUrl()],
  });
  const hash = createHash('sha256');
  for (const output of result.outputFiles) hash.update(output.path.slice(staging.length)).update(output.contents);
  const folder = `${key}.${hash.digest('hex').slice(0, 12)}`;
  if (!existsSync(join(cacheDir, folder, 'main.js'))) {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const output of result.outputFiles) writeFileSync(output.path, output.contents);
    writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
    try {
      renameSync(staging, join(cacheDir, folder));
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process put the same bundle there first
    }
  }
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const path = resolve(input);
    const { size, mtimeMs } = statSync(path);
    return { path, size, mtimeMs };
  });
  const manifest = { entry, folder, inputs };
  const manifestFile = join(cacheDir, `${key}.json`);
  writeFileSync(`${manifestFile}.${process.pid}.tmp`, JSON.stringify(manifest));
  renameSync(`${manifestFile}.${process.pid}.tmp`, manifestFile);
  forgetOldBundles(cacheDir);
  return manifest;
}

/**
 * A module that finds a file next to itself with `new URL('./x', import.meta.url)`
 * must get its own URL, not the bundle's: each source file's `import.meta.url`
 * becomes that file's URL.
 */
function keepImportMetaUrl() {
  return {
    name: 'keep-import-meta-url',
    setup(builder) {
      builder.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
      });
    },
  };
}

/**
 * Deletes the manifests of programs that no longer exist (temporary copies of
 * the reference) and the bundle folders no manifest names, once they are old.
 */
function forgetOldBundles(cacheDir) {
  const named = new Set();
  for (const name of readdirSync(cacheDir).filter((n) => n.endsWith('.json'))) {
    try {
      const manifest = JSON.parse(readFileSync(join(cacheDir, name), 'utf8'));
      statSync(manifest.entry);
      named.add(manifest.folder);
    } catch {
      rmSync(join(cacheDir, name), { force: true });
    }
  }
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || named.has(entry.name)) continue;
    const path = join(cacheDir, entry.name);
    try {
      if (Date.now() - statSync(path).mtimeMs > OLD_BUNDLE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}
