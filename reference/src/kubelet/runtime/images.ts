// The lab image catalogue: where "pulling" an image happens in the process runtime.
//
// No registry is reachable, so an image is a folder of KUBELAB_IMAGES with an
// image.json (conformance/images/README.md is the contract). Pulling an image
// means finding its folder; an image the catalogue lacks is an ImagePullError,
// which the agent shows as ErrImagePull, then ImagePullBackOff.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImagePullError, type ImageInfo } from './runtime.ts';

interface ImageJson {
  name: string;
  tags: string[];
  entrypoint: string[];
  args: string[];
  env: Record<string, string>;
  ports: number[];
}

/** `kubelab/web:2` → { name: 'kubelab/web', tag: '2' }; no tag means `latest`, as in Kubernetes. */
export function parseImageRef(image: string): { name: string; tag: string } {
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return { name: image, tag: 'latest' };
  return { name: image.slice(0, colon), tag: image.slice(colon + 1) };
}

export class ImageCatalogue {
  constructor(private readonly dir: string) {}

  /** Every image of the catalogue, read afresh (the catalogue is small; a new image needs no restart). */
  private images(): { dir: string; json: ImageJson; digest: string }[] {
    if (!existsSync(this.dir)) return [];
    const found = [];
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      const file = join(this.dir, entry.name, 'image.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const text = readFileSync(file, 'utf8');
      found.push({ dir: join(this.dir, entry.name), json: JSON.parse(text) as ImageJson, digest: createHash('sha256').update(text).digest('hex') });
    }
    return found;
  }

  resolve(image: string): ImageInfo & { imageID: string } {
    if (image.includes('@')) throw new ImagePullError(image, `${image}: digests are not supported by the image catalogue`);
    const { name, tag } = parseImageRef(image);
    const match = this.images().find((i) => i.json.name === name);
    if (!match) throw new ImagePullError(image, `${image} is not in the image catalogue (it has ${this.names().join(', ') || 'no images'})`);
    const tags = match.json.tags.map(String);
    if (!tags.includes(tag)) throw new ImagePullError(image, `${image} is not in the image catalogue (${name} has tags ${tags.join(', ')})`);
    // "./web.mjs" in the entrypoint is a file of the image: make it absolute (the README, "The command line").
    const entrypoint = match.json.entrypoint.map((part) => (part.startsWith('./') ? join(match.dir, part.slice(2)) : part));
    return {
      name, tag, dir: match.dir, entrypoint, args: [...match.json.args], env: { ...match.json.env }, ports: [...match.json.ports],
      imageID: `${name}@sha256:${match.digest}`,
    };
  }

  private names(): string[] {
    return this.images().map((i) => `${i.json.name}:${i.json.tags.join('|')}`).sort();
  }
}
