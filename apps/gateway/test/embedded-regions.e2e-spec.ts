import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { loadRegionConfig, regionOfId } from '@sms/platform';
import { GatewayClient } from '@sms/testing';
import Database from 'better-sqlite3';
import { freePort } from './embedded-gateway.harness';
import { spawnGateway, type GatewayProcess } from './gateway-process.harness';
import { inbound, waitFor } from '@sms/testing-scenarios';

const KEY = 'smsgw_regions_suite_key_0000000000000';
/** Shared by every region: peers authenticate each other with the internal token, and open erasures with the salt. */
const INTERNAL_API_TOKEN = randomBytes(24).toString('hex');
const PRIVACY_SALT = randomBytes(24).toString('hex');
const SENDER = '+12025550142';
/** Statuses after which no receipt comes for a message. */
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'rejected', 'canceled', 'expired']);
const usPerson = () => `+1202555${String(randomInt(1000, 9999))}`;

/** Every string column of every table of every SQLite file in a data folder that holds one of the needles. */
function rowsContaining(dataDir: string, needles: readonly string[]): string[] {
  const hits: string[] = [];
  for (const file of readdirSync(dataDir).filter((name) => name.endsWith('.sqlite'))) {
    const db = new Database(path.join(dataDir, file), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
          for (const [column, value] of Object.entries(row)) {
            if (typeof value === 'string' && needles.some((needle) => value.includes(needle))) {
              hits.push(`${file}:${name}.${column}`);
            }
          }
        }
      }
    } finally {
      db.close();
    }
  }

  return [...new Set(hits)];
}

/** Records eu still owes a peer (its durable peer outbox). */
function owedTo(dataDir: string, peer: string): number {
  const db = new Database(path.join(dataDir, 'region-peers.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM peer_outbox WHERE peer = ?').get(peer) as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * `npm start` as one region of two (docs/regions.md): two embedded gateways as real processes, each its own
 * data folder, one `eu` and one `us`. Each decides a message's region, mints ids that name it, forwards the
 * other region's sends and reads, and keeps no byte of the other region's messages in its files.
 */
describe('embedded gateway: one region of two', () => {
  const dirs: string[] = [];
  let eu: GatewayProcess;
  let us: GatewayProcess | null = null;
  let euClient: GatewayClient;
  let usClient: GatewayClient;
  let env: (region: string, dir: string) => Record<string, string>;

  beforeAll(async () => {
    const [euPort, usPort] = [await freePort(), await freePort()];
    const regions = `eu=http://127.0.0.1:${euPort},us=http://127.0.0.1:${usPort}`;
    env = (region, dir) => ({
      DATA_DIR: dir,
      SMS_GATEWAY_API_KEY: KEY,
      REGION: region,
      REGIONS: regions,
      REGION_COUNTRY_MAP: 'GB=eu,DE=eu,US=us',
      KAFKA_GLOBAL_TOPIC_PREFIX: 'global.',
      INTERNAL_API_TOKEN,
      PRIVACY_SALT,
    });
    const dir = (name: string) => {
      const made = mkdtempSync(path.join(tmpdir(), `sms-region-${name}-`));
      dirs.push(made);

      return made;
    };
    const euDir = dir('eu');
    const usDir = dir('us');
    [eu, us] = await Promise.all([spawnGateway(env('eu', euDir), euPort), spawnGateway(env('us', usDir), usPort)]);
    const auth = { authorization: `Bearer ${KEY}` };
    euClient = new GatewayClient(eu.url, auth);
    usClient = new GatewayClient(us.url, auth);
  }, 180_000);

  afterAll(async () => {
    for (const running of [eu, us]) {
      running?.child.kill('SIGTERM');
      await running?.exited();
    }
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const config = () => loadRegionConfig({ ...env('eu', ''), DATA_DIR: undefined });
  const filesContain = (dir: string, needle: string) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .some((entry) => readFileSync(path.join(entry.parentPath, entry.name)).includes(needle));
  const send = async (through: GatewayClient, to: string) => {
    const answer = await through.rawPost<{ id: string }>('/v1/messages', { to, body: 'region test' });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 202 });

    return answer;
  };

  it("sends each message in its region, whichever region's API it came in through, and reads it from both", async () => {
    const gb = `+4474009${String(randomInt(10_000, 99_999))}`;
    const usNumber = `+1202555${String(randomInt(1000, 9999))}`;
    const toEu = await send(usClient, gb);
    expect(toEu.headers.get('x-sms-region')).toBe('eu');
    expect(regionOfId(config(), toEu.body.id)).toBe('eu');
    const toUs = await send(euClient, usNumber);
    expect(regionOfId(config(), toUs.body.id)).toBe('us');
    for (const client of [euClient, usClient]) {
      for (const id of [toEu.body.id, toUs.body.id]) {
        const message = await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);
        expect(message.status).toBe('delivered');
      }
    }
    // No byte of a message, nor its number, in the other region's files (SQLite files and their journals).
    const [euDir, usDir] = dirs as [string, string];
    expect(filesContain(usDir, toEu.body.id)).toBe(false);
    expect(filesContain(usDir, gb)).toBe(false);
    expect(filesContain(euDir, toUs.body.id)).toBe(false);
    expect(filesContain(euDir, usNumber)).toBe(false);
    expect(filesContain(euDir, toEu.body.id)).toBe(true);
    expect(filesContain(usDir, toUs.body.id)).toBe(true);
  }, 120_000);

  it('refuses a batch item of the other region with 421 REGION_MISMATCH', async () => {
    const answer = await euClient.rawPost<{ results: { status: number; error?: { code: string } }[] }>(
      '/v1/messages/batch',
      {
        messages: [
          { to: '+447400123456', body: 'eu' },
          { to: '+12025550123', body: 'us' },
        ],
      },
    );
    expect(answer.body.results.map((r) => [r.status, r.error?.code])).toEqual([
      [202, undefined],
      [421, 'REGION_MISMATCH'],
    ]);
  }, 30_000);

  /** A send in us (a US number) refused because the person opted out, within `ms`. */
  const refusedInUs = (number: string, ms: number) =>
    waitFor(
      `the us gateway to refuse ${number}`,
      async () => {
        const answer = await usClient.rawPost<{ error?: { code: string } }>('/v1/messages', {
          to: number,
          from: SENDER,
          body: 'after stop',
        });

        return answer.status === 422 ? answer.body : null;
      },
      ms,
    );
  const stopInEu = (number: string) => inbound(euClient, eu.url, number, SENDER, 'STOP');

  it('blocks a send in us to a number that sent STOP in eu', async () => {
    const person = usPerson();
    await stopInEu(person);
    const refused = await refusedInUs(person, 30_000);
    expect(refused.error?.code).toBe('RECIPIENT_OPTED_OUT');
    // us recorded the entry in its own ledger, from eu.
    const listed = await usClient.rawGet<{ data: { number: string }[] }>(
      `/v1/opt-outs?number=${encodeURIComponent(person)}`,
    );
    expect(listed.body.data.map((entry) => entry.number)).toContain(person);
  }, 60_000);

  it("erases a person asked in us from eu's files too, and reports per region and slice", async () => {
    const [euDir, usDir] = dirs as [string, string];
    const person = usPerson();
    const digits = person.slice(1);
    const text = `erase me ${randomInt(1e9)}`;
    const sent = await usClient.rawPost<{ id: string }>('/v1/messages', { to: person, body: text });
    expect(sent.status).toBe(202);
    await usClient.waitForMessage(sent.body.id, (m) => m.status === 'delivered', 30_000);
    // The person also texts eu (stored there as received) and opts out there.
    await inbound(euClient, eu.url, person, SENDER, `hello ${text}`);
    await stopInEu(person);
    await refusedInUs(person, 30_000);
    await waitFor('eu to hold the person', async () => rowsContaining(euDir, [digits]).length > 0, 10_000);
    // Erase once the person's traffic has settled (docs/privacy.md): eu's STOP confirmation and any send us took
    // before the STOP reached it have had their last receipt, which would otherwise be stored after the erasure.
    await waitFor(
      "the person's messages to settle in both regions",
      async () => {
        for (const client of [euClient, usClient]) {
          const listed = await client.rawGet<{ data: { status: string }[] }>(
            `/v1/messages?to=${encodeURIComponent(person)}&limit=100`,
          );
          if (listed.status !== 200 || listed.body.data.some((m) => !FINAL.has(m.status))) {
            return false;
          }
        }

        return true;
      },
      30_000,
    );
    expect(rowsContaining(usDir, [digits, text]).length).toBeGreaterThan(0);

    const asked = await usClient.rawPost<{ id: string }>('/v1/privacy/erasures', { number: person });
    expect(asked.status).toBe(202);
    type Slice = { region: string | null; slice: string; status: string; stores: Record<string, number> };
    const done = await waitFor(
      'the erasure to complete in both regions',
      async () => {
        const answer = await usClient.rawGet<{ status: string; slices: Slice[] }>(
          `/v1/privacy/erasures/${asked.body.id}`,
        );

        return answer.body.status === 'completed' ? answer.body : null;
      },
      60_000,
    );
    expect([...new Set(done.slices.map((slice) => slice.region))].sort()).toEqual(['eu', 'us']);
    expect(
      done.slices.find((s) => s.region === 'eu' && s.slice === 'dlr-ingest')?.stores['inbound_webhooks'],
    ).toBeGreaterThan(0);
    expect(
      done.slices.find((s) => s.region === 'us' && s.slice === 'intake')?.stores['sms_messages'],
    ).toBeGreaterThanOrEqual(1);
    // Nothing readable left in either region's files (the peer outbox included).
    expect(rowsContaining(euDir, [digits, text])).toEqual([]);
    expect(rowsContaining(usDir, [digits, text])).toEqual([]);
    // The erased person stays opted out everywhere (the ledgers keep the token).
    expect((await refusedInUs(person, 5_000)).error?.code).toBe('RECIPIENT_OPTED_OUT');
  }, 120_000);

  it('catches a peer that was down up, from the durable queue, once it is back', async () => {
    const [euDir, usDir] = dirs as [string, string];
    us?.child.kill('SIGTERM');
    await us?.exited();
    const person = usPerson();
    await stopInEu(person);
    await waitFor('eu to queue the STOP for us', async () => owedTo(euDir, 'us') > 0, 10_000);
    us = await spawnGateway(env('us', usDir), new URL(us!.url).port ? Number(new URL(us!.url).port) : undefined);
    usClient = new GatewayClient(us.url, { authorization: `Bearer ${KEY}` });
    expect((await refusedInUs(person, 60_000)).error?.code).toBe('RECIPIENT_OPTED_OUT');
    // Within a delivery's timeout and a retry: an answer slower than the relay's 10 s timeout is sent again.
    await waitFor('eu to drop what us took', async () => owedTo(euDir, 'us') === 0, 45_000).catch((error: Error) => {
      // The relay's own account of what happened (its warnings name each answer), for the failure message.
      throw new Error(`${error.message}\n${eu.output.slice(-20).join('')}`);
    });
  }, 120_000);

  it('answers 503 REGION_UNAVAILABLE, accepting nothing, while the owning region is down', async () => {
    us?.child.kill('SIGKILL');
    await us?.exited();
    us = null;
    const send = await euClient.rawPost<{ error: { code: string } }>('/v1/messages', {
      to: '+12025550123',
      body: 'while us is down',
    });
    expect(send.status).toBe(503);
    expect(send.body.error.code).toBe('REGION_UNAVAILABLE');
    expect(send.headers.get('retry-after')).toBe('5');
  }, 30_000);
});
