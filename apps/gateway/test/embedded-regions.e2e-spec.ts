import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { loadRegionConfig, regionOfId } from '@sms/platform';
import { GatewayClient } from '@sms/testing';
import { freePort } from './embedded-gateway.harness';
import { spawnGateway, type GatewayProcess } from './gateway-process.harness';

const KEY = 'smsgw_regions_suite_key_0000000000000';

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
