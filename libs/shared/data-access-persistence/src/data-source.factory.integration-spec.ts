/**
 * The session settings every MySQL connection of a service starts with (MYSQL_SESSION_SQL), on MariaDB:
 * each pooled connection has them before its first caller's statement.
 */
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { DataSource } from 'typeorm';
import { createServiceDataSource, mysqlDriverStartingWith } from './data-source.factory';

jest.setTimeout(60_000);

const POOL = 3;

/** group_concat_max_len of POOL connections held at once (so each is a connection of its own). */
async function sessionValues(dataSource: DataSource): Promise<number[]> {
  const runners = Array.from({ length: POOL }, () => dataSource.createQueryRunner());
  try {
    await Promise.all(runners.map((runner) => runner.connect()));
    const ids = new Set<number>();
    const values: number[] = [];
    for (const runner of runners) {
      const [row] = (await runner.query('SELECT CONNECTION_ID() AS id, @@SESSION.group_concat_max_len AS value')) as {
        id: number;
        value: number;
      }[];
      ids.add(Number(row?.id));
      values.push(Number(row?.value));
    }
    expect(ids.size).toBe(POOL);

    return values;
  } finally {
    await Promise.all(runners.map((runner) => runner.release()));
  }
}

describe('MySQL session settings', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('runs the start statement on every pooled connection before it is used', async () => {
    // A value neither server defaults to, so only the start statement can have set it.
    const dataSource = await new DataSource({
      type: 'mysql',
      driver: mysqlDriverStartingWith('SET SESSION group_concat_max_len = 4099'),
      connectorPackage: 'mysql2',
      url: db.url,
      poolSize: POOL,
      extra: { connectionLimit: POOL },
    }).initialize();
    try {
      expect(await sessionValues(dataSource)).toEqual([4099, 4099, 4099]);
    } finally {
      await dataSource.destroy();
    }
  });

  it("gives a service's connections a GROUP_CONCAT limit of 1 MiB (MySQL 8's default cuts at 1,024 bytes)", async () => {
    const dataSource = await createServiceDataSource({
      service: 'session-settings',
      database: { kind: 'mysql', url: db.url, poolSize: POOL },
      entities: [],
      migrations: [],
    }).initialize();
    try {
      expect(await sessionValues(dataSource)).toEqual([1_048_576, 1_048_576, 1_048_576]);
    } finally {
      await dataSource.destroy();
    }
  });
});
