/**
 * One service's slice opened on both engines it runs on: MariaDB (the distributed mode; a throw-away database
 * with the real migrations run into it) and SQLite (the embedded mode; the schema built from the entities in a
 * throw-away folder). Store specs run the same cases on each (`describe.each(sliceEngines(...))`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource, migrateSlice, type ServiceDataSourceOptions } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '@sms/testing';

export type SliceEngineName = 'MariaDB' | 'SQLite';

export interface OpenSlice {
  readonly dataSource: DataSource;
  /** Destroys the DataSource and drops the database (or deletes the folder). */
  close(): Promise<void>;
}

export interface SliceEngine {
  readonly name: SliceEngineName;
  /** Opens a fresh, migrated, empty copy of the slice: nothing is shared between two opens. */
  open(): Promise<OpenSlice>;
}

export type SliceDefinition = Omit<ServiceDataSourceOptions, 'database'> & {
  /** MariaDB connections (default 4: a spec's concurrency, not a service's). */
  readonly poolSize?: number;
};

/** The slice on MariaDB, then on SQLite, or only on `only` (a case one engine cannot express). */
export function sliceEngines(slice: SliceDefinition, only?: readonly SliceEngineName[]): SliceEngine[] {
  const { poolSize = 4, ...options } = slice;
  const engines: SliceEngine[] = [
    {
      name: 'MariaDB',
      async open() {
        const database = await createTestDatabase();
        await migrateSlice(database.url, options.service, options.migrations);
        const dataSource = await createServiceDataSource({
          ...options,
          database: { kind: 'mysql', url: database.url, poolSize },
        }).initialize();

        return {
          dataSource,
          close: async () => {
            await dataSource.destroy();
            await database.drop();
          },
        };
      },
    },
    {
      name: 'SQLite',
      async open() {
        const directory = mkdtempSync(path.join(tmpdir(), `${options.service}-`));
        const dataSource = await createServiceDataSource({
          ...options,
          database: { kind: 'sqlite', directory },
        }).initialize();

        return {
          dataSource,
          close: async () => {
            await dataSource.destroy();
            rmSync(directory, { recursive: true, force: true });
          },
        };
      },
    },
  ];

  return only ? engines.filter((engine) => only.includes(engine.name)) : engines;
}
