// `kubelab site build` and `kubelab site serve` as a student runs them: the
// build says how many pages it made and where, refuses a folder it did not
// make, and serve prints its address and serves the site and the grade.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.remove());

/** Runs the CLI without blocking the test worker (a blocked worker misses vitest's own messages). */
function kubelab(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/kubelab.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe('kubelab site', () => {
  const out = join(temp.dir, 'dist');

  it('build writes the site and says where', async () => {
    const result = await kubelab(['site', 'build', '--out', out]);
    // Warnings name lessons being written; anything else on stderr is an error.
    expect(result.stderr.split('\n').filter((line) => line && !line.startsWith('kubelab site: warning: '))).toEqual([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`kubelab site: built \\d+ pages into ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in \\d+\\.\\d s`));
  }, 240_000);

  it('build refuses to clear a folder it did not make', async () => {
    const foreign = join(temp.dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const result = await kubelab(['site', 'build', '--out', foreign]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is not empty and was not made by kubelab site build');
    expect(existsSync(join(foreign, 'notes.txt'))).toBe(true);
  }, 240_000);

  it('serve prints its address and serves the pages and the grade', async () => {
    const grade = join(temp.dir, 'grade.json');
    writeFileSync(grade, JSON.stringify({ kind: 'KubelabGrade', version: 1, implementation: 'mine', startedAt: '', durationMs: 0, score: 0, maxScore: 1, labs: [] }));
    const child = spawn(process.execPath, ['bin/kubelab.js', 'site', 'serve', '--no-build', '--out', out, '--port', '0', '--grade', grade], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        const timer = setTimeout(() => reject(new Error(`no address within 60 s:\n${seen}`)), 60_000);
        const onData = (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /the lesson site is at (http:\/\/\S+) \(showing the grade in /.exec(seen);
          if (match) { clearTimeout(timer); resolve(match[1]); }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`site serve exited with ${code}:\n${seen}`)));
      });
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(`${url}nothing-here.html`)).status).toBe(404);
      expect(await (await fetch(`${url}assets/grade.js`)).text()).toContain('"implementation":"mine"');
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
