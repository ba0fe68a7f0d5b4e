// The lab image catalogue's shape: every image has what
// conformance/images/README.md promises, and its Dockerfile builds the same
// image as its image.json describes.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE, catalogue, commandLine, findImage } from './run-image.ts';

const images = [...catalogue().values()];

describe('the lab image catalogue', () => {
  it('holds kubelab/web (tags 1, 2) and kubelab/busybox (tag 1), one folder each', () => {
    const folders = readdirSync(CATALOGUE).filter((f) => statSync(join(CATALOGUE, f)).isDirectory());
    expect(folders.sort()).toEqual(['busybox', 'web']);
    expect(Object.fromEntries(images.map((i) => [i.json.name, i.json.tags]))).toEqual({ 'kubelab/web': ['1', '2'], 'kubelab/busybox': ['1'] });
    expect(existsSync(join(CATALOGUE, 'README.md'))).toBe(true);
  });

  it('finds an image by name and tag, and nothing for a missing tag or no tag', () => {
    expect(findImage('kubelab/web:2').tag).toBe('2');
    expect(() => findImage('kubelab/web:3')).toThrow('not in the image catalogue');
    expect(() => findImage('kubelab/web')).toThrow('not in the image catalogue');
    expect(() => findImage('kubelab/nginx:1')).toThrow('not in the image catalogue');
  });

  for (const image of images) {
    describe(image.json.name, () => {
      const dockerfile = readFileSync(join(image.dir, 'Dockerfile'), 'utf8');
      const instructions = dockerfile.split('\n').filter((l) => l.trim() && !l.startsWith('#'));

      it('has an image.json with all six fields, of the right types', () => {
        const { name, tags, entrypoint, args, env, ports } = image.json;
        expect(Object.keys(image.json).sort()).toEqual(['args', 'entrypoint', 'env', 'name', 'ports', 'tags']);
        expect(name).toBe(`kubelab/${image.dir.split('/').filter(Boolean).at(-1)}`);
        expect(tags.length).toBeGreaterThan(0);
        for (const list of [tags, entrypoint, args]) expect(list.every((x) => typeof x === 'string')).toBe(true);
        expect(Object.values(env).every((x) => typeof x === 'string')).toBe(true);
        expect(ports.every((p) => Number.isInteger(p))).toBe(true);
      });

      it('has an entrypoint that starts with node and whose "./" files exist', () => {
        expect(image.json.entrypoint[0]).toBe('node');
        const [, program] = commandLine(image);
        expect(program.startsWith(image.dir)).toBe(true);
        expect(existsSync(program)).toBe(true);
        expect(readFileSync(program, 'utf8')).toMatch(/^\/\/ kubelab\//); // the header comment says what the image is
      });

      it('has a README and a Dockerfile FROM kubelab/node:20 that matches image.json', () => {
        expect(existsSync(join(image.dir, 'README.md'))).toBe(true);
        expect(dockerfile).not.toMatch(/^# *syntax=/m); // it would make BuildKit pull
        expect(instructions[0]).toBe('FROM kubelab/node:20');
        const entrypoint = image.json.entrypoint.map((part) => part.replace(/^\.\//, '/app/'));
        expect(instructions).toContain(`ENTRYPOINT ${JSON.stringify(entrypoint).replaceAll(',', ', ')}`);
        if (image.json.args.length) expect(instructions).toContain(`CMD ${JSON.stringify(image.json.args).replaceAll(',', ', ')}`);
        for (const port of image.json.ports) expect(instructions).toContain(`EXPOSE ${port}`);
        for (const [name, value] of Object.entries(image.json.env)) expect(dockerfile).toContain(`${name}=${value}`);
        for (const file of readdirSync(image.dir).filter((f) => f.endsWith('.mjs'))) expect(dockerfile).toContain(file);
      });
    });
  }

  it('keeps every copy of mounts.mjs identical', () => {
    const copies = images.map((i) => join(i.dir, 'mounts.mjs')).filter(existsSync);
    expect(copies.length).toBe(2);
    for (const copy of copies) expect(readFileSync(copy, 'utf8')).toBe(readFileSync(copies[0], 'utf8'));
  });
});
