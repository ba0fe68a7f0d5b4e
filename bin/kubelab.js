#!/usr/bin/env node
// The kubelab CLI. The sources are TypeScript, run with tsx: no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
