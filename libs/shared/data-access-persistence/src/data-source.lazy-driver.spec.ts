import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packagesLoadedBy, sourcePath } from '@sms/testing';

const factory = sourcePath('libs', 'shared', 'data-access-persistence', 'src', 'data-source.factory.ts');

describe('mysql2 is loaded only for a MySQL data source', () => {
  it('is not loaded by a SQLite one (the embedded gateway)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lazy-driver-'));
    try {
      const database = JSON.stringify({ kind: 'sqlite', directory: dir });
      const loaded = packagesLoadedBy(
        `require(${factory}).createServiceDataSource({ service: 'x', database: ${database}, entities: [], migrations: [] });`,
      );

      expect(loaded).toContain('typeorm');
      expect(loaded).not.toContain('mysql2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is loaded by a MySQL one, before it connects', () => {
    const database = JSON.stringify({ kind: 'mysql', url: 'mysql://root@127.0.0.1:9/none' });
    const loaded = packagesLoadedBy(
      `require(${factory}).createServiceDataSource({ service: 'x', database: ${database}, entities: [], migrations: [] });`,
    );

    expect(loaded).toContain('mysql2');
  });
});
