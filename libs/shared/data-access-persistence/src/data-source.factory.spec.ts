/**
 * The settings each embedded SQLite connection starts with: a real file through the factory, read back from
 * the connection TypeORM opened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntitySchema } from 'typeorm';
import { createServiceDataSource, SQLITE_PAGE_CACHE_KIB } from './data-source.factory';

const Row = new EntitySchema<{ id: number }>({
  name: 'cache_probe',
  columns: { id: { type: 'integer', primary: true, generated: 'increment' } },
});

describe('SQLite connection settings', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'sqlite-settings-'));

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('bounds the page cache, keeps WAL and NORMAL sync', async () => {
    const dataSource = createServiceDataSource({
      service: 'settings-probe',
      database: { kind: 'sqlite', directory },
      entities: [Row],
      migrations: [],
    });
    await dataSource.initialize();
    try {
      const pragma = async (name: string): Promise<unknown> => {
        const rows = await dataSource.query<Record<string, unknown>[]>(`PRAGMA ${name}`);

        return Object.values(rows[0] ?? {})[0];
      };

      // A negative cache_size is a size in KiB (SQLite's convention); better-sqlite3's own default is -16000.
      expect(await pragma('cache_size')).toBe(-SQLITE_PAGE_CACHE_KIB);
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
    } finally {
      await dataSource.destroy();
    }
  });
});
