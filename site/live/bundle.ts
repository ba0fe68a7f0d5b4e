// The page's script: site/live/app/*.ts bundled by esbuild into one file, in
// memory, when the view starts (a few tens of milliseconds). No build step, no
// files written, and nothing loaded from another host.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./app/main.ts', import.meta.url));

export async function bundleApp(options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
