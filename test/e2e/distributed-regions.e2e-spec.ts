import 'reflect-metadata';
import { randomBytes, randomInt } from 'node:crypto';
import { ALL_SCOPES, ApiScope, openApiKeyService } from '@sms/auth';
import { loadRegionConfig, regionOfId } from '@sms/platform';
import { createTestDatabase, GatewayClient, type TestDatabase } from '@sms/testing';
import { inbound, waitFor } from '@sms/testing-scenarios';
import { SERVICE_PORTS, startDistributed, type DistributedTopology } from '../../scripts/distributed';
import { migrate } from '../../scripts/migrate';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const EU_OFFSET = 5100;
const US_OFFSET = 5200;
const SENDER = '+12025550142';

const intakeUrl = (offset: number) => `http://127.0.0.1:${SERVICE_PORTS.intake + offset}`;
/** A number no other run uses: the opt-out topic is compacted and shared by every run on this broker. */
const gbNumber = () => `+4474009${String(randomInt(10_000, 99_999))}`;
const usNumber = () => `+1415555${String(randomInt(2000, 9999))}`;

interface Sent {
  readonly id: string;
  readonly to: string;
}

/**
 * Two regions on one machine (docs/regions.md): each its own MariaDB database, topic prefix, Redis
 * namespace, simulator and services; accounts, keys and opt-outs in a third, global database and under a
 * global topic prefix. Sends go in through either region's intake and must be written only in the region
 * that owns them: the recipient's country (GB → eu, US → us) or the account's data residency.
 */
describe('distributed gateway: two regions', () => {
  const run = randomBytes(3).toString('hex');
  let eu: TestDatabase;
  let us: TestDatabase;
  let global: TestDatabase;
  let euStack: DistributedTopology;
  let usStack: DistributedTopology;
  let euIntake: GatewayClient;
  let usIntake: GatewayClient;
  let residentKey: string;
  const logs: string[] = [];

  // One salt for every region: a command sealed in one region is opened in the other (docs/privacy.md).
  const privacySalt = randomBytes(32).toString('hex');
  const regionEnv = (region: string) => ({
    PRIVACY_SALT: privacySalt,
    REGION: region,
    REGIONS: `eu=${intakeUrl(EU_OFFSET)},us=${intakeUrl(US_OFFSET)}`,
    REGION_COUNTRY_MAP: 'GB=eu,FR=eu,DE=eu,US=us',
    REGION_DEFAULT: 'us',
    KAFKA_TOPIC_PREFIX: `rg${run}.${region}.`,
    KAFKA_GLOBAL_TOPIC_PREFIX: `rg${run}.global.`,
    GLOBAL_MYSQL_URL: global.url,
  });
  const config = () => loadRegionConfig(regionEnv('eu'));

  beforeAll(async () => {
    [eu, us, global] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    // Every slice in each database (the regional ones stay empty in the global database and the reverse).
    for (const database of [eu, us, global]) {
      await migrate(database.url);
    }
    const store = await openApiKeyService({ kind: 'mysql', url: global.url });
    const { key } = await store.keys.create('regions-e2e', ALL_SCOPES);
    await store.close();
    const common = {
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      logLevel: 'warn',
      startTimeoutMs: 300_000,
      onOutput: (name: string, line: string) => logs.push(`[${name}] ${line}`),
    } as const;
    // One after the other: thirteen processes booting at once on a shared box miss their readiness deadlines.
    euStack = await startDistributed({
      ...common,
      mysqlUrl: eu.url,
      portOffset: EU_OFFSET,
      services: ['intake', 'router', 'send-worker', 'dlr-ingest', 'dlr-processor', 'masking', 'opt-out'],
      extraEnv: regionEnv('eu'),
    });
    usStack = await startDistributed({
      ...common,
      mysqlUrl: us.url,
      portOffset: US_OFFSET,
      // Every service in each region: an erasure waits for every slice of every region.
      services: ['intake', 'router', 'send-worker', 'dlr-ingest', 'dlr-processor', 'masking', 'opt-out'],
      extraEnv: regionEnv('us'),
    });
    const auth = { authorization: `Bearer ${key}` };
    euIntake = new GatewayClient(euStack.intakeUrl, auth);
    usIntake = new GatewayClient(usStack.intakeUrl, auth);
    // An EU-resident account, made through the operator API of the US region (accounts are global).
    const account = await usIntake.rawPost<{ id: string; dataResidency: string }>('/v1/accounts', {
      name: 'Resident GmbH',
      dataResidency: 'eu',
    });
    expect(account.status).toBe(201);
    expect(account.body.dataResidency).toBe('eu');
    const created = await usIntake.rawPost<{ key: string }>('/v1/api-keys', {
      name: 'resident',
      scopes: [ApiScope.Send, ApiScope.Read],
      accountId: account.body.id,
    });
    expect(created.status).toBe(201);
    residentKey = created.body.key;
  }, 900_000);

  afterAll(async () => {
    await Promise.all([euStack?.stop(), usStack?.stop()]);
    await Promise.all([eu?.drop(), us?.drop(), global?.drop()]);
    const errors = logs.filter((line) => /"level":"(error|fatal)"/.test(line));
    if (errors.length > 0 || process.env['REGIONS_E2E_LOGS']) {
      process.stdout.write(
        `service errors:\n${(process.env['REGIONS_E2E_LOGS'] ? logs : errors).slice(-80).join('\n')}\n`,
      );
    }
  }, 120_000);

  const send = async (through: GatewayClient, to: string, key?: string): Promise<Sent> => {
    const answer = await through.rawPost<{ id: string }>(
      '/v1/messages',
      { to, body: `region test ${run}` },
      key ? { authorization: `Bearer ${key}` } : {},
    );
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 202 });

    return { id: answer.body.id, to };
  };
  const delivered = (through: GatewayClient, id: string, key?: string) =>
    waitFor(
      `${id} delivered`,
      async () => {
        const answer = await through.rawGet<{ status: string; events: { status: string }[] }>(
          `/v1/messages/${id}`,
          key ? { authorization: `Bearer ${key}` } : {},
        );

        return answer.status === 200 && answer.body.status === 'delivered' ? answer.body : null;
      },
      90_000,
    );

  /** Every row of every table of a database whose text or bytes contain `needle`, as `table.column`. */
  const rowsContaining = async (database: TestDatabase, needle: string): Promise<string[]> => {
    const columns = await database.query<{ t: string; c: string }[]>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
        WHERE table_schema = ? AND data_type IN ('char','varchar','text','mediumtext','longtext','json','blob','mediumblob','longblob','varbinary')`,
      [database.name],
    );
    const found: string[] = [];
    for (const { t, c } of columns) {
      const [row] = await database.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM \`${t}\` WHERE \`${c}\` LIKE ?`, [
        `%${needle}%`,
      ]);
      if (Number(row?.n) > 0) {
        found.push(`${t}.${c}`);
      }
    }

    return found;
  };

  const sent: { eu: Sent[]; us: Sent[] } = { eu: [], us: [] };

  it('writes a GB message sent through the US intake in the EU region, and reads it from both', async () => {
    const message = await send(usIntake, gbNumber());
    expect(regionOfId(config(), message.id)).toBe('eu');
    sent.eu.push(message);
    const seenFromUs = await delivered(usIntake, message.id);
    expect(seenFromUs.events.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'sent', 'delivered']));
    await delivered(euIntake, message.id);
  }, 180_000);

  it('writes a US message sent through the EU intake in the US region', async () => {
    const message = await send(euIntake, usNumber());
    expect(regionOfId(config(), message.id)).toBe('us');
    sent.us.push(message);
    await delivered(euIntake, message.id);
  }, 180_000);

  it("keeps an EU-resident account's message to a US number in the EU", async () => {
    const message = await send(usIntake, usNumber(), residentKey);
    expect(regionOfId(config(), message.id)).toBe('eu');
    sent.eu.push(message);
    await delivered(usIntake, message.id, residentKey);
  }, 180_000);

  it('leaves no row of an EU message, its events or its receipts in the US database, and the reverse', async () => {
    expect(sent.eu.length).toBeGreaterThan(0);
    expect(sent.us.length).toBeGreaterThan(0);
    for (const message of sent.eu) {
      expect(await rowsContaining(us, message.id)).toEqual([]);
      expect(await rowsContaining(us, message.to.slice(1))).toEqual([]);
      expect(await rowsContaining(global, message.id)).toEqual([]);
      // The positive control: the owning region holds the ledger row, its events and the raw receipt.
      expect(await rowsContaining(eu, message.id)).toEqual(
        expect.arrayContaining(['sms_messages.id', 'message_events.message_id']),
      );
      expect(await rowsContaining(eu, message.to.slice(1))).toEqual(expect.arrayContaining(['inbound_webhooks.body']));
    }
    for (const message of sent.us) {
      expect(await rowsContaining(eu, message.id)).toEqual([]);
      expect(await rowsContaining(eu, message.to.slice(1))).toEqual([]);
      expect(await rowsContaining(us, message.id)).toEqual(expect.arrayContaining(['sms_messages.id']));
    }
  }, 300_000);

  it('refuses a batch item of the other region rather than writing it in the wrong one', async () => {
    const answer = await euIntake.rawPost<{ results: { status: number; error?: { code: string } }[] }>(
      '/v1/messages/batch',
      {
        messages: [
          { to: gbNumber(), body: 'eu item' },
          { to: usNumber(), body: 'us item' },
        ],
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r) => r.status)).toEqual([202, 421]);
    expect(answer.body.results[1]?.error?.code).toBe('REGION_MISMATCH');
  }, 60_000);

  it('refuses a data residency that names no configured region', async () => {
    const answer = await euIntake.rawPost<{ error: { code: string } }>('/v1/accounts', {
      name: 'Nowhere Ltd',
      dataResidency: 'ap',
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('UNKNOWN_REGION');
  });

  it('blocks sends in the US region to a number that sent STOP in the EU region', async () => {
    const number = usNumber();
    const dlrIngestEu = `http://127.0.0.1:${SERVICE_PORTS['dlr-ingest'] + EU_OFFSET}`;
    const sim = new GatewayClient(euStack.simulatorUrl.replace(/\/sim$/, ''), euStack.simulatorAuth);
    await inbound(sim, dlrIngestEu, number, SENDER, 'STOP');
    const refused = await waitFor(
      'the US intake to refuse',
      async () => {
        const answer = await usIntake.rawPost<{ error?: { code: string } }>('/v1/messages', {
          to: number,
          from: SENDER,
          body: 'after stop',
        });

        return answer.status === 422 ? answer.body : null;
      },
      60_000,
    );
    expect(refused.error?.code).toBe('RECIPIENT_OPTED_OUT');
  }, 120_000);

  it("erases a person asked in the US from the EU's database too, and reports per region and slice", async () => {
    // The person has messages in both regions: one by the recipient's country (GB → eu), one from a
    // US-resident account, and opted out in the EU (the global ledger).
    const person = gbNumber();
    const text = `erase me ${run} ${randomInt(1e9)}`;
    const account = await usIntake.rawPost<{ id: string }>('/v1/accounts', {
      name: 'Resident Inc',
      dataResidency: 'us',
    });
    expect(account.status).toBe(201);
    const usKey = await usIntake.rawPost<{ key: string }>('/v1/api-keys', {
      name: 'us-resident',
      scopes: [ApiScope.Send, ApiScope.Read],
      accountId: account.body.id,
    });
    expect(usKey.status).toBe(201);
    const inEu = await euIntake.rawPost<{ id: string }>('/v1/messages', { to: person, body: text });
    const inUs = await euIntake.rawPost<{ id: string }>(
      '/v1/messages',
      { to: person, body: text },
      { authorization: `Bearer ${usKey.body.key}` },
    );
    expect([inEu.status, inUs.status]).toEqual([202, 202]);
    expect([regionOfId(config(), inEu.body.id), regionOfId(config(), inUs.body.id)]).toEqual(['eu', 'us']);
    await delivered(euIntake, inEu.body.id);
    await delivered(usIntake, inUs.body.id, usKey.body.key);
    const digits = person.slice(1);
    expect(await rowsContaining(eu, digits)).toEqual(expect.arrayContaining(['sms_messages.to_number']));
    expect(await rowsContaining(us, digits)).toEqual(expect.arrayContaining(['sms_messages.to_number']));

    const asked = await usIntake.rawPost<{ id: string; status: string }>('/v1/privacy/erasures', { number: person });
    expect(asked.status).toBe(202);
    type Slice = { region: string | null; slice: string; status: string; stores: Record<string, number> };
    const done = await waitFor(
      'the erasure to complete in both regions',
      async () => {
        const answer = await usIntake.rawGet<{ status: string; slices: Slice[] }>(
          `/v1/privacy/erasures/${asked.body.id}`,
        );

        return answer.body.status === 'completed' ? answer.body : null;
      },
      120_000,
    );
    // Every slice reported from each region, and each region's intake erased its own ledger row.
    expect([...new Set(done.slices.map((s) => s.region))].sort()).toEqual(['eu', 'us']);
    expect(done.slices.every((s) => s.status === 'completed')).toBe(true);
    for (const region of ['eu', 'us']) {
      const intake = done.slices.find((s) => s.region === region && s.slice === 'intake');
      expect({ region, rows: intake?.stores['sms_messages'] }).toEqual({ region, rows: 1 });
    }
    // Nothing readable left in either region's database nor the global one: the number, without the `+`
    // (it is inside the E.164 form too), and the text.
    for (const [name, database] of [
      ['eu', eu],
      ['us', us],
      ['global', global],
    ] as const) {
      expect({ name, number: await rowsContaining(database, digits) }).toEqual({ name, number: [] });
      expect({ name, text: await rowsContaining(database, text) }).toEqual({ name, text: [] });
    }
  }, 300_000);
});
