// kubelab/busybox: each command of conformance/images/busybox/README.md,
// "&&" chains, the image's default args, and SIGTERM.

import { afterAll, describe, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, sleep, startContainer, type Container, type Exit } from './run-image.ts';

const scratch = mkdtempSync(join(tmpdir(), 'kubelab-busybox-'));
afterAll(() => {
  killAll();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs kubelab/busybox:1 with these args to the end. */
async function box(args: string[] | undefined, container: Partial<Container> = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const run = startContainer({ image: 'kubelab/busybox:1', args, ...container });
  const exit = await run.exited;
  return { ...exit, stdout: run.stdout, stderr: run.stderr };
}

describe.concurrent('kubelab/busybox', () => {
  it('echo prints its words; exit stops with the code given', async ({ expect }) => {
    expect(await box(['echo', 'hello', 'lab'])).toMatchObject({ code: 0, stdout: 'hello lab\n' });
    expect(await box(['exit', '3'])).toMatchObject({ code: 3, stdout: '' });
    expect(await box(['exit'])).toMatchObject({ code: 0 });
  });

  it('"&&" runs the next command only after a success, and ends with the first failure\'s code', async ({ expect }) => {
    expect(await box(['echo', 'a', '&&', 'echo', 'b'])).toMatchObject({ code: 0, stdout: 'a\nb\n' });
    expect(await box(['echo', 'a', '&&', 'exit', '4', '&&', 'echo', 'never'])).toMatchObject({ code: 4, stdout: 'a\n' });
  });

  it('sleep waits the seconds given, then exits 0', async ({ expect }) => {
    const started = Date.now();
    expect(await box(['sleep', '0.3', '&&', 'echo', 'awake'])).toMatchObject({ code: 0, stdout: 'awake\n' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('without args it runs the image\'s default args (sleep 3600); SIGTERM stops it with code 143', async ({ expect }) => {
    const run = startContainer({ image: 'kubelab/busybox:1' });
    // Time for the program to start and install its handler; before that, SIGTERM
    // would end it the default way (a slow start on a busy machine).
    await sleep(1500);
    expect(run.child.exitCode).toBeNull();
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 143, signal: null });
    expect(run.stdout).toBe('received SIGTERM, exiting\n');
  });

  it('cat and ls read files through KUBELAB_MOUNTS', async ({ expect }) => {
    const config = join(scratch, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'greeting'), 'hello\n');
    writeFileSync(join(config, 'name'), 'kubelab\n');
    const mounts = { '/config': config };
    expect(await box(['cat', '/config/greeting', '/config/name'], { mounts })).toMatchObject({ code: 0, stdout: 'hello\nkubelab\n' });
    expect(await box(['ls', '/config'], { mounts })).toMatchObject({ code: 0, stdout: 'greeting\nname\n' });

    expect(await box(['cat', '/config/missing'], { mounts })).toMatchObject({ code: 1, stderr: 'cat: /config/missing: no such file\n' });
    expect(await box(['cat', '/etc/passwd'], { mounts })).toMatchObject({
      code: 1, stdout: '', stderr: 'cat: /etc/passwd: /etc/passwd is under no volume mount of this container (its mounts are /config)\n',
    });
  });

  it('env prints the environment the node agent built, sorted', async ({ expect }) => {
    const result = await box(['env'], { env: { ZZ_LAST: 'z', AA_FIRST: 'a' }, podName: 'box-1' });
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([...lines].sort());
    expect(lines).toEqual(expect.arrayContaining(['AA_FIRST=a', 'ZZ_LAST=z', 'HOSTNAME=box-1', 'KUBELAB_IMAGE_TAG=1', 'KUBELAB_MOUNTS={}']));
  });

  it('sh and unknown commands exit 127; nothing to run or a bad number exits 2', async ({ expect }) => {
    const shell = await box(['sh', '-c', 'echo hi']);
    expect(shell).toMatchObject({ code: 127, stdout: '' });
    expect(shell.stderr).toContain('there is no shell in kubelab/busybox');
    expect(await box(['wget', 'x'])).toMatchObject({ code: 127, stderr: expect.stringContaining('unknown command "wget"') });
    expect(await box(['echo', 'a', '&&'])).toMatchObject({ code: 2, stdout: 'a\n' });
    expect(await box(['sleep', 'soon'])).toMatchObject({ code: 2 });
    expect(await box(['exit', '300'])).toMatchObject({ code: 2 });
  });

  it('a container command replaces the entrypoint and drops the image\'s args', async ({ expect }) => {
    // The working directory is the image folder, so "./busybox.mjs" is the image's program.
    const alone = await box(undefined, { command: ['node', './busybox.mjs'] });
    expect(alone).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing to run') });
    expect(await box(['echo', 'from', 'command'], { command: ['node', './busybox.mjs'] })).toMatchObject({ code: 0, stdout: 'from command\n' });
  });
});
