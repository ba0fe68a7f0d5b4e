// `kubelab images build`: the images of the container driver, made on this
// machine (conformance/harness/container-images.ts), with what each cost.

import { fileURLToPath } from 'node:url';
import { readContract } from '../conformance/harness/contract.ts';
import { ensureImages } from '../conformance/harness/container-images.ts';
import { dockerStatus } from '../conformance/harness/docker.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export async function buildImages(options: { impl?: string }): Promise<number> {
  const docker = await dockerStatus();
  if (!docker.ok) {
    console.error(`kubelab images: ${docker.reason}`);
    return 1;
  }
  const contract = readContract(options.impl ?? REPO_ROOT);
  if (!contract.container) {
    console.error(`kubelab images: ${contract.dir}/kubelab.yaml has no "container" section (see conformance/README.md, "The container driver")`);
    return 1;
  }
  for (const image of await ensureImages(contract.dir, contract.container)) {
    console.log(`${image.built ? 'built' : 'up to date'}  ${image.name}  (${(image.ms / 1000).toFixed(1)} s)`);
  }
  return 0;
}
