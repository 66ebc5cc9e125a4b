/**
 * The ledger at scale, unpartitioned and partitioned by month (issue #22 part 5): N messages spread over
 * 12 months plus three events each, in two MariaDB databases of their own that differ only by the
 * PartitionLedgerByMonth migration. Measures, on each:
 *
 *  - the seeding rate (server-side multi-row INSERT … SELECT from MariaDB's SEQUENCE engine, 100,000 rows a
 *    statement, secondary indexes built once after the load) and the rate of LedgerWriter, the code every
 *    accepted message goes through (group commit);
 *  - GET /v1/messages/:id: findMessageById + eventsOf, the queries MessagesService.find runs, p50/p99 over
 *    random seeded ids;
 *  - a filtered page of MessageSearch (the REST list's code), medians;
 *  - retiring the oldest month: archived through a MonthArchive (a plain NDJSON.gz writer of this file) and
 *    then dropped: DROP PARTITION by the PartitionMaintenance job on the partitioned schema, DELETE on the
 *    unpartitioned one.
 *
 *   npm run bench -- --only=ledger-scale --messages=1000000
 *   node -r ./scripts/register.js bench/ledger-scale.bench.ts --messages=1000000
 *
 * Options: --schemas (flat,part: which of the two to run), --convert (true; false skips the conversion),
 * --messages (10,000,000), --lookups (2,000 GETs per schema), --writes (20,000 LedgerWriter messages, three
 * runs, median), --runs (15 per search case). BENCH_LEDGER_KEEP=1 keeps both databases (and reuses them when
 * they hold the same number of messages); the default drops them. MariaDB CPU comes from /proc when its pid
 * is found.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createConnection } from 'mysql2/promise';
import {
  type ArchivedMonth,
  convertToMonthlyPartitions,
  createServiceDataSource,
  type MonthArchive,
  type MonthlyTable,
  monthEnd,
  monthOf,
  monthStart,
  migrateSlice,
  PartitionMaintenance,
} from '@sms/persistence';
import { mysqlUrl, withDatabase } from '@sms/testing';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS } from '../libs/intake/feature/src/database/intake.schema';
import { PartitionLedgerByMonth1767000000000 } from '../libs/intake/feature/src/database/migrations/1767000000000-PartitionLedgerByMonth';
import {
  INTAKE_MONTHLY_TABLES,
  LEDGER_PARTITION_KEYS,
  MESSAGE_EVENTS_TABLE,
  SMS_MESSAGES_TABLE,
} from '../libs/intake/feature/src/database/ledger-tables';
import { LedgerWriter, type NewMessage } from '../libs/intake/feature/src/ledger/ledger.writer';
import { eventsOf, findMessageById, messageByIdQuery } from '../libs/intake/feature/src/ledger/message-lookup';
import { validateMessageRequest } from '../libs/intake/feature/src/messages/message-request.validator';
import { MessageSearch, type MessageSearchRequest } from '../libs/intake/feature/src/search/message-search';
import { ROOT } from './lib/processes';

const CHUNK = 100_000;
/** The searched and looked-up account: every even message. */
const ACCOUNT = '0b0b0b0b-0000-4000-8000-000000000001';
/** Twelve whole months, fixed so a kept database stays valid. */
const START = Date.parse('2025-12-01T00:00:00.000Z');
const END = Date.parse('2026-12-01T00:00:00.000Z');
const OLDEST_MONTH = monthOf(new Date(START));
const DAY_MS = 86_400_000;

export interface LedgerScaleOptions {
  readonly messages: number;
  readonly lookups: number;
  readonly writes: number;
  readonly runs: number;
  readonly keep: boolean;
  /** Which schemas to run (`--schemas=flat,part`, both by default): two runs can then share a long seeding. */
  readonly schemas: readonly ('flat' | 'part')[];
  /** Convert the unpartitioned schema's remaining months afterwards (`--convert=false` skips it). */
  readonly convert: boolean;
}

export interface SchemaResult {
  readonly schema: 'unpartitioned' | 'partitioned';
  readonly seedSeconds: number | null;
  readonly seedMessagesPerSecond: number | null;
  readonly seedEventsPerSecond: number | null;
  /** Building the secondary indexes after the bulk load, both tables. */
  readonly seedIndexSeconds: number | null;
  /** LedgerWriter, median of three runs: messages (with their event and outbox row) per second. */
  readonly writerMessagesPerSecond: number;
  /** MariaDB CPU per message written by LedgerWriter, ms. */
  readonly writerMariadbCpuMsPerMessage: number | null;
  readonly getP50Ms: number;
  readonly getP99Ms: number;
  readonly getMariadbCpuMsPerGet: number | null;
  /** The partitions EXPLAIN says the by-id query reads (1 when unpartitioned). */
  readonly getPartitionsRead: number;
  readonly search: readonly {
    name: string;
    medianMs: number;
    mariadbCpuMsPerPage: number | null;
    partitions: number;
  }[];
  readonly retireMonth: string;
  readonly archiveSeconds: number;
  readonly archivedRows: number;
  /** DROP PARTITION (partitioned) or DELETE (unpartitioned) of the month in both tables, after its archive. */
  readonly removeSeconds: number;
  /**
   * Unpartitioned only: the PartitionLedgerByMonth conversion of what is left (eleven months) afterwards,
   * both tables, i.e. the ALTER an operator runs on an existing database (docs/data-lifecycle.md).
   */
  readonly convertSeconds: number | null;
}

export interface LedgerScaleResult {
  readonly messages: number;
  readonly events: number;
  readonly loadAverage: readonly number[];
  readonly schemas: readonly SchemaResult[];
}

const argument = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

export function ledgerScaleOptions(): LedgerScaleOptions {
  const number = (name: string, fallback: number): number => {
    const value = Number(argument(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} must be a positive integer`);
    }

    return value;
  };

  return {
    messages: number('messages', 10_000_000),
    lookups: number('lookups', 2_000),
    writes: number('writes', 20_000),
    runs: number('runs', 15),
    keep: process.env['BENCH_LEDGER_KEEP'] === '1',
    schemas: schemasOption(argument('schemas') ?? 'flat,part'),
    convert: argument('convert') !== 'false',
  };
}

function schemasOption(value: string): readonly ('flat' | 'part')[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.length === 0 || names.some((name) => name !== 'flat' && name !== 'part')) {
    throw new Error('--schemas must list flat and/or part');
  }

  return names as ('flat' | 'part')[];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const percentile = (values: readonly number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * p) - 1)]!;
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

function mariadbPid(): string | null {
  try {
    return execFileSync('pidof', ['mariadbd', 'mysqld'], { encoding: 'utf8' }).trim().split(/\s+/)[0] || null;
  } catch {
    return null;
  }
}

/** utime + stime of the server, ms (clock ticks of 10 ms). */
function serverCpuMs(pid: string | null): number {
  if (!pid) {
    return 0;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];

  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Message n's creation time: n = 1..N spread evenly over the twelve months. */
const createdMsOf = (n: number, total: number): number => START + Math.floor(((n - 0.5) * (END - START)) / total);

/** Message n's id: a UUIDv7 of its creation time, unique by n (the same formula as the seeding SQL). */
function messageIdOf(n: number, total: number): string {
  const time = createdMsOf(n, total).toString(16).padStart(12, '0');
  const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(n % 4096, 3)}-8${hex(Math.floor(n / 4096) % 4096, 3)}-${hex(n, 12)}`;
}

/** SQL of messageIdOf/createdMsOf over `seq` (MariaDB's HEX is upper case; the ids are stored lower case). */
const SQL_MS = (total: number): string => `(${START} + FLOOR((seq - 0.5) * ${END - START} / ${total}))`;
const SQL_ID = (total: number): string =>
  `LOWER(CONCAT(LEFT(LPAD(HEX(${SQL_MS(total)}), 12, '0'), 8), '-', RIGHT(LPAD(HEX(${SQL_MS(total)}), 12, '0'), 4),
    '-7', LPAD(HEX(seq % 4096), 3, '0'), '-8', LPAD(HEX(FLOOR(seq / 4096) % 4096), 3, '0'), '-', LPAD(HEX(seq), 12, '0')))`;
const SQL_AT = (total: number): string => `FROM_UNIXTIME(${SQL_MS(total)} / 1000)`;
const hash = (salt: string): string => `CRC32(CONCAT('${salt}', seq))`;
const SQL_STATUS = `CASE WHEN ${hash('s')} % 100 < 90 THEN 'delivered' WHEN ${hash('s')} % 100 < 93 THEN 'failed'
  WHEN ${hash('s')} % 100 < 95 THEN 'undelivered' WHEN ${hash('s')} % 100 < 98 THEN 'sent' ELSE 'queued' END`;

function messagesSeed(from: number, to: number, total: number): string {
  return `INSERT INTO sms_messages (id, status, status_rank, to_number, sender, country, body, encoding, segments,
      message_class, client_reference, account_id, attempt, provider, provider_message_id, cost, currency,
      dlr_fallbacks, created_at, updated_at, sent_at, delivered_at, final_at)
    SELECT s.id, s.status, CASE s.status WHEN 'queued' THEN 0 WHEN 'sent' THEN 2 ELSE 3 END,
      CONCAT('+4474001', LPAD(${hash('t')} % 100000, 5, '0')), '+12025550160', 'GB', 'Your code is 123456',
      'GSM-7', 1, 'transactional', CONCAT('order-', seq),
      IF(seq % 2 = 0, '${ACCOUNT}', CONCAT('0b0b0b0b-0000-4000-8000-', LPAD(seq % 9 + 2, 12, '0'))),
      1, ELT(${hash('p')} % 3 + 1, 'twilio', 'vonage', 'sinch'), CONCAT('SM', seq), '0.0400', 'USD', 0,
      s.at, s.at, s.at, s.at, s.at
    FROM (SELECT seq, ${SQL_ID(total)} AS id, ${SQL_AT(total)} AS at, ${SQL_STATUS} AS status
          FROM seq_${from}_to_${to}) s`;
}

/** Three events a message: queued, sent, then its status, a few seconds apart. */
function eventsSeed(from: number, to: number, total: number): string {
  return `INSERT INTO message_events (event_id, message_id, status, source, applied, attempt, provider, occurred_at)
    SELECT CONCAT(LPAD(HEX(seq), 8, '0'), '-0000-4000-800', k.k, '-', LPAD(HEX(seq), 12, '0')),
      s.id, ELT(k.k + 1, 'queued', 'sent', s.status), ELT(k.k + 1, 'intake', 'send-worker', 'dlr'), 1,
      IF(k.k = 0, NULL, 1), IF(k.k = 0, NULL, 'twilio'), s.at + INTERVAL (k.k * 2) SECOND
    FROM (SELECT seq, ${SQL_ID(total)} AS id, ${SQL_AT(total)} AS at, ${SQL_STATUS} AS status
          FROM seq_${from}_to_${to}) s
    CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k`;
}

/**
 * The archive this bench retires a month through: the month's rows as NDJSON, gzipped, one file per table
 * and month under tmp/. Not the gateway's archive (issue #22 part 2): just enough to time the same work.
 */
class NdjsonGzArchive implements MonthArchive {
  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  async archiveMonth(dataSource: DataSource, table: MonthlyTable, month: string): Promise<ArchivedMonth> {
    const location = path.join(this.directory, `${table.table}-${month}.ndjson.gz`);
    const runner = dataSource.createQueryRunner();
    let rows = 0;
    try {
      const stream = await runner.stream(
        `SELECT * FROM ${table.table} WHERE ${table.createdColumn} >= ? AND ${table.createdColumn} < ?`,
        [monthStart(month), monthEnd(month)],
      );
      const toLines = new Transform({
        writableObjectMode: true,
        transform(row: unknown, _encoding, done) {
          rows++;
          done(null, `${JSON.stringify(row)}\n`);
        },
      });
      await pipeline(stream, toLines, createGzip({ level: 6 }), createWriteStream(location));
    } finally {
      await runner.release();
    }

    return { table: table.table, month, rows, location };
  }
}

/** Times every archiveMonth it passes on. */
class TimedArchive implements MonthArchive {
  ms = 0;
  rows = 0;

  constructor(private readonly inner: MonthArchive) {}

  async archiveMonth(dataSource: DataSource, table: MonthlyTable, month: string): Promise<ArchivedMonth> {
    const started = Date.now();
    const archived = await this.inner.archiveMonth(dataSource, table, month);
    this.ms += Date.now() - started;
    this.rows += archived.rows;

    return archived;
  }
}

async function serverQuery(sql: string): Promise<void> {
  const server = await createConnection({ uri: withDatabase(mysqlUrl(), ''), timezone: 'Z' });
  try {
    await server.query(sql);
  } finally {
    await server.end();
  }
}

interface SecondaryIndex {
  readonly table: string;
  readonly name: string;
  readonly unique: boolean;
  /** Column list as written in ADD INDEX, prefix lengths kept. */
  readonly columns: string;
}

type Connection = Awaited<ReturnType<typeof createConnection>>;

/** Drops every index but the primary key of the tables, and returns them to be built again after seeding. */
async function dropSecondaryIndexes(connection: Connection, tables: readonly string[]): Promise<SecondaryIndex[]> {
  const [rows] = (await connection.query(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS col, SUB_PART AS sub
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) AND INDEX_NAME <> 'PRIMARY'
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [tables],
  )) as unknown as [{ t: string; name: string; nonUnique: number; col: string; sub: number | null }[]];
  const byKey = new Map<string, { table: string; name: string; unique: boolean; columns: string[] }>();
  for (const row of rows) {
    const key = `${row.t}.${row.name}`;
    const index = byKey.get(key) ?? { table: row.t, name: row.name, unique: Number(row.nonUnique) === 0, columns: [] };
    index.columns.push(row.sub ? `\`${row.col}\`(${row.sub})` : `\`${row.col}\``);
    byKey.set(key, index);
  }
  const indexes = [...byKey.values()].map((index) => ({ ...index, columns: index.columns.join(', ') }));
  for (const table of tables) {
    const names = indexes.filter((index) => index.table === table).map((index) => `DROP INDEX \`${index.name}\``);
    if (names.length > 0) {
      await connection.query(`ALTER TABLE \`${table}\` ${names.join(', ')}`);
    }
  }

  return indexes;
}

/** Builds the dropped indexes again, one ALTER per table. */
async function addIndexes(connection: Connection, indexes: readonly SecondaryIndex[]): Promise<void> {
  for (const table of new Set(indexes.map((index) => index.table))) {
    const adds = indexes
      .filter((index) => index.table === table)
      .map((index) => `ADD ${index.unique ? 'UNIQUE ' : ''}INDEX \`${index.name}\` (${index.columns})`);
    await connection.query(`ALTER TABLE \`${table}\` ${adds.join(', ')}`);
  }
}

/** Migrates and seeds one schema; null seed figures when a kept database already held the messages. */
async function prepare(
  database: string,
  partitioned: boolean,
  options: LedgerScaleOptions,
  log: (line: string) => void,
): Promise<{ seconds: number; messagesPerSecond: number; eventsPerSecond: number; indexSeconds: number } | null> {
  const url = withDatabase(mysqlUrl(), database);
  if (options.keep) {
    const connection = await createConnection({ uri: withDatabase(mysqlUrl(), ''), timezone: 'Z' }).catch(() => null);
    const rows = (await connection
      ?.query(`SELECT COUNT(*) AS n FROM \`${database}\`.sms_messages`)
      .catch(() => null)) as [{ n: number }[]] | null;
    await connection?.end();
    if (Number(rows?.[0]?.[0]?.n) === options.messages) {
      log(`  ${database}: kept database reused`);

      return null;
    }
  }
  await serverQuery(`DROP DATABASE IF EXISTS \`${database}\``);
  await serverQuery(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  // Every intake migration but the one that partitions the ledger by the current month; the partitioned
  // schema is then partitioned over the bench's own months below.
  await migrateSlice(
    url,
    'intake',
    INTAKE_MIGRATIONS.filter((migration) => migration !== PartitionLedgerByMonth1767000000000),
  );
  const connection = await createConnection({ uri: url, timezone: 'Z' });
  try {
    if (partitioned) {
      for (const table of [SMS_MESSAGES_TABLE, MESSAGE_EVENTS_TABLE]) {
        await convertToMonthlyPartitions(
          { query: (sql: string, parameters?: unknown[]) => connection.query(sql, parameters).then(([rows]) => rows) },
          table,
          {
            keyChanges: LEDGER_PARTITION_KEYS[table.table as 'sms_messages' | 'message_events'].partitioned,
            monthsAhead: 12,
            now: new Date(START),
          },
        );
      }
    }
    await connection.query("SET time_zone = '+00:00'");
    // Bulk load: the secondary indexes are dropped before seeding and built once afterwards (a sort per
    // index instead of a random B-tree insert per row), the way an operator restores a dump.
    const indexes = await dropSecondaryIndexes(connection, [SMS_MESSAGES_TABLE.table, MESSAGE_EVENTS_TABLE.table]);
    const total = options.messages;
    let started = Date.now();
    for (let from = 1; from <= total; from += CHUNK) {
      await connection.query(messagesSeed(from, Math.min(total, from + CHUNK - 1), total));
    }
    const messagesSeconds = (Date.now() - started) / 1000;
    log(`  ${database}: ${total.toLocaleString('en-US')} messages in ${messagesSeconds.toFixed(1)} s`);
    started = Date.now();
    for (let from = 1; from <= total; from += CHUNK) {
      await connection.query(eventsSeed(from, Math.min(total, from + CHUNK - 1), total));
    }
    const eventsSeconds = (Date.now() - started) / 1000;
    log(`  ${database}: ${(3 * total).toLocaleString('en-US')} events in ${eventsSeconds.toFixed(1)} s`);
    started = Date.now();
    await addIndexes(connection, indexes);
    const indexSeconds = (Date.now() - started) / 1000;
    log(`  ${database}: secondary indexes built in ${indexSeconds.toFixed(1)} s`);
    await connection.query('ANALYZE TABLE sms_messages, message_events');

    return {
      seconds: round(messagesSeconds + eventsSeconds + indexSeconds, 1),
      messagesPerSecond: Math.round(total / messagesSeconds),
      eventsPerSecond: Math.round((3 * total) / eventsSeconds),
      indexSeconds: round(indexSeconds, 1),
    };
  } finally {
    await connection.end();
  }
}

const MESSAGE = validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456' });

/** LedgerWriter: `count` accepted messages, all handed over at once (group commit batches them). */
async function writerRate(dataSource: DataSource, count: number, pid: string | null): Promise<[number, number]> {
  const writer = new LedgerWriter(dataSource);
  const items: NewMessage[] = Array.from({ length: count }, () => ({
    id: uuidv7(),
    message: MESSAGE,
    apiKeyId: null,
    accountId: ACCOUNT,
    createdAt: new Date(),
    idMadeHere: true,
    traceHeaders: {},
  }));
  const cpu0 = serverCpuMs(pid);
  const started = process.hrtime.bigint();
  await Promise.all(items.map((item) => writer.write(item)));
  await writer.drain();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  return [count / seconds, (serverCpuMs(pid) - cpu0) / count];
}

async function partitionsRead(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<number> {
  const plan = await dataSource.query<{ partitions?: string | null }[]>(`EXPLAIN PARTITIONS ${sql}`, parameters);

  return Math.max(1, ...plan.map((row) => (row.partitions ?? '').split(',').filter(Boolean).length));
}

/** The SQL MessageSearch sends for a request (the page query), captured from the data source. */
async function searchSql(dataSource: DataSource, search: MessageSearch, request: MessageSearchRequest) {
  const sent: [string, unknown[]][] = [];
  const query = dataSource.query.bind(dataSource);
  dataSource.query = ((sql: string, parameters?: unknown[]) => {
    sent.push([sql, parameters ?? []]);

    return query(sql, parameters);
  }) as DataSource['query'];
  try {
    await search.search(request);
  } finally {
    dataSource.query = query;
  }

  return sent.find(([sql]) => sql.startsWith('SELECT')) ?? null;
}

const SEARCH_CASES: [string, Omit<MessageSearchRequest, 'accountId'>][] = [
  ['first page, no filter', { filters: {}, limit: 50 }],
  ['status=failed', { filters: { statuses: ['failed'] }, limit: 50 }],
  ['to=one recipient', { filters: { to: '+447400100042' }, limit: 50 }],
  [
    'one day in month 6, status=delivered',
    {
      filters: {
        statuses: ['delivered'],
        createdAfter: new Date(START + 170 * DAY_MS),
        createdBefore: new Date(START + 171 * DAY_MS),
      },
      limit: 100,
    },
  ],
];

async function measure(
  database: string,
  partitioned: boolean,
  seeded: Awaited<ReturnType<typeof prepare>>,
  options: LedgerScaleOptions,
  log: (line: string) => void,
): Promise<SchemaResult> {
  const dataSource = await createServiceDataSource({
    service: 'intake',
    database: { kind: 'mysql', url: withDatabase(mysqlUrl(), database), poolSize: 10 },
    entities: INTAKE_ENTITIES,
    migrations: INTAKE_MIGRATIONS,
  }).initialize();
  const pid = mariadbPid();
  try {
    const rates: [number, number][] = [];
    for (let run = 0; run < 3; run++) {
      rates.push(await writerRate(dataSource, options.writes, pid));
    }
    const writerMessagesPerSecond = Math.round(median(rates.map((r) => r[0])));
    const writerCpu = median(rates.map((r) => r[1]));
    log(
      `  LedgerWriter: ${writerMessagesPerSecond.toLocaleString('en-US')} messages/s (median of 3 × ${options.writes})`,
    );

    // GET by id: random seeded messages of the account, as MessagesService.find reads them.
    const ns = Array.from(
      { length: options.lookups },
      () => 2 * (1 + Math.floor(Math.random() * Math.floor(options.messages / 2))),
    );
    for (const n of ns.slice(0, 50)) {
      await findMessageById(dataSource, messageIdOf(n, options.messages), ACCOUNT);
    }
    const walls: number[] = [];
    const getCpu0 = serverCpuMs(pid);
    for (const n of ns) {
      const started = process.hrtime.bigint();
      const found = await findMessageById(dataSource, messageIdOf(n, options.messages), ACCOUNT);
      if (!found) {
        throw new Error(`seeded message ${n} not found: the bench's id formula and the seeding SQL disagree`);
      }
      await eventsOf(dataSource, found);
      walls.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const getCpu = (serverCpuMs(pid) - getCpu0) / ns.length;
    const [byIdSql, byIdParameters] = messageByIdQuery(
      dataSource,
      messageIdOf(ns[0]!, options.messages),
      ACCOUNT,
    ).getQueryAndParameters();
    const getPartitionsRead = partitioned ? await partitionsRead(dataSource, byIdSql, byIdParameters) : 1;
    log(
      `  GET by id: p50 ${percentile(walls, 0.5).toFixed(2)} ms, p99 ${percentile(walls, 0.99).toFixed(2)} ms, ${getPartitionsRead} partition(s) read`,
    );

    const search = new MessageSearch(dataSource);
    const searchResults: SchemaResult['search'][number][] = [];
    for (const [name, request] of SEARCH_CASES) {
      const full: MessageSearchRequest = { accountId: ACCOUNT, ...request };
      const page = await searchSql(dataSource, search, full);
      const partitions = partitioned && page ? await partitionsRead(dataSource, page[0], page[1]) : 1;
      for (let i = 0; i < 3; i++) {
        await search.search(full);
      }
      const times: number[] = [];
      const cpu0 = serverCpuMs(pid);
      for (let i = 0; i < options.runs; i++) {
        const started = process.hrtime.bigint();
        await search.search(full);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const result = {
        name,
        medianMs: round(median(times)),
        mariadbCpuMsPerPage: pid ? round((serverCpuMs(pid) - cpu0) / options.runs, 1) : null,
        partitions,
      };
      searchResults.push(result);
      log(`  search ${name.padEnd(38)} median ${result.medianMs.toFixed(2)} ms, ${partitions} partition(s)`);
    }

    // Retire the oldest month through the archive: the maintenance job on the partitioned schema (its hot
    // window set so that only that month is past it), archive + DELETE on the unpartitioned one.
    const archive = new TimedArchive(new NdjsonGzArchive(path.join(ROOT, 'tmp', 'bench-ledger-archive', database)));
    const started = Date.now();
    if (partitioned) {
      const now = new Date(END);
      const hotDays = Math.floor((now.getTime() - monthEnd(OLDEST_MONTH).getTime()) / DAY_MS) - 1;
      const report = await new PartitionMaintenance({
        dataSource,
        tables: INTAKE_MONTHLY_TABLES,
        monthsAhead: 1,
        hotDays,
        archive,
        dropUnarchived: false,
        now: () => now,
      }).runOnce();
      if (report.retired.length !== 2) {
        throw new Error(`expected ${OLDEST_MONTH} retired from both tables, got ${JSON.stringify(report)}`);
      }
    } else {
      for (const table of INTAKE_MONTHLY_TABLES) {
        await archive.archiveMonth(dataSource, table, OLDEST_MONTH);
        await dataSource.query(
          `DELETE FROM ${table.table} WHERE ${table.createdColumn} >= ? AND ${table.createdColumn} < ?`,
          [monthStart(OLDEST_MONTH), monthEnd(OLDEST_MONTH)],
        );
      }
    }
    const totalMs = Date.now() - started;
    let convertSeconds: number | null = null;
    if (!partitioned && options.convert) {
      const converting = Date.now();
      for (const table of [SMS_MESSAGES_TABLE, MESSAGE_EVENTS_TABLE]) {
        await convertToMonthlyPartitions(dataSource, table, {
          keyChanges: LEDGER_PARTITION_KEYS[table.table as 'sms_messages' | 'message_events'].partitioned,
          monthsAhead: 3,
          now: new Date(END),
        });
      }
      convertSeconds = round((Date.now() - converting) / 1000, 1);
      log(`  converting the rest to monthly partitions (the migration's ALTER): ${convertSeconds} s`);
    }
    log(
      `  retire ${OLDEST_MONTH}: archive ${(archive.ms / 1000).toFixed(1)} s (${archive.rows.toLocaleString('en-US')} rows),` +
        ` ${partitioned ? 'DROP PARTITION' : 'DELETE'} ${((totalMs - archive.ms) / 1000).toFixed(2)} s`,
    );

    return {
      schema: partitioned ? 'partitioned' : 'unpartitioned',
      seedSeconds: seeded?.seconds ?? null,
      seedMessagesPerSecond: seeded?.messagesPerSecond ?? null,
      seedEventsPerSecond: seeded?.eventsPerSecond ?? null,
      seedIndexSeconds: seeded?.indexSeconds ?? null,
      writerMessagesPerSecond,
      writerMariadbCpuMsPerMessage: pid ? round(writerCpu, 3) : null,
      getP50Ms: round(percentile(walls, 0.5)),
      getP99Ms: round(percentile(walls, 0.99)),
      getMariadbCpuMsPerGet: pid ? round(getCpu, 3) : null,
      getPartitionsRead,
      search: searchResults,
      retireMonth: OLDEST_MONTH,
      archiveSeconds: round(archive.ms / 1000, 1),
      archivedRows: archive.rows,
      removeSeconds: round((totalMs - archive.ms) / 1000),
      convertSeconds,
    };
  } finally {
    await dataSource.destroy();
  }
}

export async function runLedgerScaleBench(
  options: LedgerScaleOptions = ledgerScaleOptions(),
  log: (line: string) => void = console.log,
): Promise<LedgerScaleResult> {
  const schemas: SchemaResult[] = [];
  const load = (await import('node:os')).loadavg();
  for (const [database, partitioned] of [
    ['sms_bench_ledger_flat', false],
    ['sms_bench_ledger_part', true],
  ] as const) {
    if (!options.schemas.includes(partitioned ? 'part' : 'flat')) {
      continue;
    }
    log(`${partitioned ? 'partitioned' : 'unpartitioned'} (${database}):`);
    const seeded = await prepare(database, partitioned, options, log);
    try {
      schemas.push(await measure(database, partitioned, seeded, options, log));
    } finally {
      if (!options.keep) {
        await serverQuery(`DROP DATABASE IF EXISTS \`${database}\``);
      }
    }
  }

  return { messages: options.messages, events: 3 * options.messages, loadAverage: load, schemas };
}

export function formatLedgerScale(result: LedgerScaleResult): string {
  const flat = result.schemas.find((schema) => schema.schema === 'unpartitioned');
  const part = result.schemas.find((schema) => schema.schema === 'partitioned');
  if (!flat || !part) {
    return 'ledger-scale: one schema only, see the JSON below';
  }
  const row = (label: string, a: string, b: string): string =>
    `  ${label.padEnd(44)} ${a.padStart(16)} ${b.padStart(16)}`;
  const n = (value: number | null): string => (value === null ? 'n/a' : value.toLocaleString('en-US'));

  return [
    row(`${n(result.messages)} messages, ${n(result.events)} events`, 'unpartitioned', 'partitioned'),
    row('seed messages/s (INSERT … SELECT)', n(flat.seedMessagesPerSecond), n(part.seedMessagesPerSecond)),
    row('seed events/s', n(flat.seedEventsPerSecond), n(part.seedEventsPerSecond)),
    row('seed: build secondary indexes, s', n(flat.seedIndexSeconds), n(part.seedIndexSeconds)),
    row('LedgerWriter messages/s', n(flat.writerMessagesPerSecond), n(part.writerMessagesPerSecond)),
    row('GET by id p50 / p99 ms', `${flat.getP50Ms} / ${flat.getP99Ms}`, `${part.getP50Ms} / ${part.getP99Ms}`),
    ...flat.search.map((c, i) =>
      row(
        `search: ${c.name}`,
        `${c.medianMs} ms`,
        `${part.search[i]?.medianMs ?? '?'} ms (${part.search[i]?.partitions ?? '?'} p)`,
      ),
    ),
    row(`archive ${flat.retireMonth} (both tables)`, `${flat.archiveSeconds} s`, `${part.archiveSeconds} s`),
    row('then remove it (DELETE / DROP PARTITION)', `${flat.removeSeconds} s`, `${part.removeSeconds} s`),
    row('convert the other 11 months (migration ALTER)', `${flat.convertSeconds ?? '?'} s`, '-'),
  ].join('\n');
}

if (require.main === module) {
  void runLedgerScaleBench().then((result) => {
    console.log(formatLedgerScale(result));
    console.log(JSON.stringify(result, null, 2));
  });
}
