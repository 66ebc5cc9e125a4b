import { isMysql } from '@sms/persistence';
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Runs a keyset page query, on MariaDB with the index the page is read in named (FORCE INDEX).
 *
 * Why: when an index both filters the account and gives the page order, MariaDB's ORDER BY ... LIMIT
 * optimisation switches the plan to a `ref` scan on the account alone and reads backwards from the
 * account's newest row, dropping the cursor's range: a page deep in a large account then reads every newer
 * row first (bench/search.bench.ts showed 112,000 rows read for a 1,000-row page). Naming the index keeps
 * the range scan, which starts at the cursor. SQLite plans the range itself and gets no hint.
 *
 * Rows are hydrated with the driver's own conversions (dates, numbers), as getMany() would.
 */
export async function readKeysetPage<T extends ObjectLiteral>(
  dataSource: DataSource,
  query: SelectQueryBuilder<T>,
  index: string,
): Promise<T[]> {
  const alias = query.expressionMap.mainAlias!;
  const metadata = alias.metadata;
  const [text, parameters] = query.getQueryAndParameters();
  let sql = text;
  if (isMysql(dataSource)) {
    const from = `FROM \`${metadata.tableName}\` \`${alias.name}\``;
    if (!sql.includes(from)) {
      throw new Error(`keyset page: no "${from}" in the query to name the index in`);
    }
    sql = sql.replace(from, `${from} FORCE INDEX (\`${index}\`)`);
  }
  const rows: Record<string, unknown>[] = await dataSource.query(sql, parameters);

  return rows.map((raw) => {
    const entity = metadata.create() as T;
    for (const column of metadata.columns) {
      const key = `${alias.name}_${column.databaseName}`;
      if (key in raw) {
        column.setEntityValue(entity, dataSource.driver.prepareHydratedValue(raw[key], column));
      }
    }

    return entity;
  });
}
