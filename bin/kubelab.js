#!/usr/bin/env node
// The kubelab CLI. Its sources are TypeScript, with no build step: the command
// starts from a bundle of cli/main.ts that reference/launch.mjs makes with
// esbuild the first time and remakes whenever a source file changes.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledProgram } from '../reference/launch.mjs';

await import(pathToFileURL(await bundledProgram(fileURLToPath(new URL('../cli/main.ts', import.meta.url)))).href);
