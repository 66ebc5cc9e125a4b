import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GatewayClient, isFinalMessage } from '@sms/testing';
import { spawnGateway, type GatewayProcess } from './gateway-process.harness';

const KEY = 'smsgw_crash_suite_key_000000000000000';
const TO = '+12025550123';

/** Real processes, real signals: what `npm start` does when it dies or is asked to stop. */
describe('embedded gateway process: crashes and shutdown lose nothing', () => {
  let dataDir: string;
  let running: GatewayProcess | null = null;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sms-crash-'));
  });

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited();
    }
    running = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    DATA_DIR: dataDir,
    SMS_GATEWAY_API_KEY: KEY,
    RETRY_BASE_DELAY_MS: '50',
    ...extra,
  });

  it('sends a message whose process was killed (-9) after the commit and before the publish', async () => {
    // With the relay off, a 202 means exactly "committed, not published": the crash window.
    running = await spawnGateway(env({ OUTBOX_RELAY_ENABLED: 'false' }));
    const client = new GatewayClient(running.url, { authorization: `Bearer ${KEY}` });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const accepted = await client.post('/v1/messages', { to: TO, body: `before the crash ${i}` });
      expect(accepted.status).toBe(202);
      ids.push(accepted.body['id']);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const id of ids) {
      expect((await client.get(`/v1/messages/${id}`)).body).toMatchObject({
        status: 'queued',
        events: [{ status: 'queued' }],
      });
    }
    running.child.kill('SIGKILL');
    expect(await running.exited()).toBeNull();

    running = await spawnGateway(env());
    const restarted = new GatewayClient(running.url, { authorization: `Bearer ${KEY}` });
    for (const id of ids) {
      const message = await restarted.waitForMessage(id, isFinalMessage, 20_000);
      expect(message.status).toBe('delivered');
      expect(message.events.filter((e) => e.status === 'sent' && e.applied !== false)).toHaveLength(1);
    }
    const submits = (await restarted.rawGet<{ messages: unknown[] }>('/sim/twilio/messages')).body;
    expect(JSON.stringify(submits).match(/before the crash/g)?.length ?? 0).toBeGreaterThanOrEqual(ids.length);
  }, 60_000);

  it('on SIGTERM stops taking requests, finishes in-flight work and exits 0; nothing accepted is lost', async () => {
    running = await spawnGateway(env({ LOG_LEVEL: 'info' }));
    const client = new GatewayClient(running.url, { authorization: `Bearer ${KEY}` });
    await client.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ latencyMs: 100, dlrDelayMs: 50 }), {
      'content-type': 'application/json',
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.post('/v1/messages', { to: TO, body: `in flight ${i}` })),
    );
    const ids = answers.map((a) => {
      expect(a.status).toBe(202);

      return a.body['id'];
    });
    running.child.kill('SIGTERM');
    const code = await running.exited();
    expect(code).toBe(0);
    expect(running.output.join('')).toContain('SIGTERM received');

    // The in-process simulator died with the process, so receipts it still owed never come: a
    // message counts as kept when it reached the provider exactly once (sent, or delivered).
    running = await spawnGateway(env({ STALE_MESSAGE_AFTER_MS: '2000' }));
    const restarted = new GatewayClient(running.url, { authorization: `Bearer ${KEY}` });
    for (const id of ids) {
      const message = await restarted.waitForMessage(id, (m) => ['sent', 'delivered'].includes(m.status), 30_000);
      expect(message.events.filter((e) => e.status === 'sent' && e.applied !== false)).toHaveLength(1);
    }
  }, 120_000);
});
