/**
 * Test support (not part of the service): intake's store on each engine it runs on, for integration specs that
 * must hold in both modes. MariaDB: a database of the spec's own with the real migrations (distributed mode);
 * SQLite: the schema from the entities in a temporary directory (embedded mode, ADR 0003).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS } from '../src/database/intake.schema';

export interface IntakeEngine {
  readonly name: string;
  open(): Promise<{ dataSource: DataSource; close: () => Promise<void> }>;
}

export const INTAKE_MARIADB: IntakeEngine = {
  name: 'MariaDB',
  async open() {
    const db = await createTestDatabase();
    await migrateSlice(db.url, 'intake', INTAKE_MIGRATIONS);
    const dataSource = await createServiceDataSource({
      service: 'intake',
      database: { kind: 'mysql', url: db.url, poolSize: 10 },
      entities: INTAKE_ENTITIES,
      migrations: INTAKE_MIGRATIONS,
    }).initialize();

    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        await db.drop();
      },
    };
  },
};

export const INTAKE_SQLITE: IntakeEngine = {
  name: 'SQLite',
  async open() {
    const directory = mkdtempSync(path.join(tmpdir(), 'intake-'));
    const dataSource = await createServiceDataSource({
      service: 'intake',
      database: { kind: 'sqlite', directory },
      entities: INTAKE_ENTITIES,
      migrations: INTAKE_MIGRATIONS,
    }).initialize();

    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};
