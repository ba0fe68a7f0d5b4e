// openStore turns a --store spec into a backend.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../reference/src/store/memory.ts';
import { openStore } from '../../reference/src/store/open.ts';
import { SqliteStore } from '../../reference/src/store/sqlite.ts';

const tempDir = await mkdtemp(join(tmpdir(), 'kubelab-open-test-'));
afterAll(() => rm(tempDir, { recursive: true, force: true }));

describe('openStore', () => {
  it('memory gives a MemoryStore', async () => {
    const store = await openStore('memory');
    expect(store).toBeInstanceOf(MemoryStore);
    await store.close();
  });

  it('sqlite gives a SqliteStore at <dataDir>/state.db, creating the directory', async () => {
    const dataDir = join(tempDir, 'data', 'nested');
    const store = await openStore('sqlite', dataDir);
    expect(store).toBeInstanceOf(SqliteStore);
    await store.create('/a', '1');
    await store.close();
    expect(existsSync(join(dataDir, 'state.db'))).toBe(true);
  });

  it('sqlite:<file> uses that file', async () => {
    const file = join(tempDir, 'other', 'mine.db');
    const store = await openStore(`sqlite:${file}`);
    await store.create('/a', '1');
    await store.close();
    const reopened = await openStore(`sqlite:${file}`);
    expect((await reopened.get('/a'))?.value).toBe('1');
    await reopened.close();
  });

  it('rejects a bad spec with a message that lists the accepted forms', async () => {
    for (const spec of ['postgres://x', 'etcd://no-port', 'sqlite:']) {
      await expect(openStore(spec, tempDir)).rejects.toThrow(/memory, sqlite, sqlite:\/path\/to\/file\.db, etcd:\/\/host:port/);
    }
  });
});
