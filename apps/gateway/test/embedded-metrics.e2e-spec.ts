import { GatewayClient } from '@sms/testing';
import { freePort, startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

/** One sample value from the Prometheus text format (0 when the series does not exist yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) {
      continue;
    }
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }

  return total;
}

const hasSeries = (text: string, name: string): boolean =>
  text.split('\n').some((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

/** The metrics the runbooks lean on exist on /metrics and move under a small load. */
describe('embedded gateway: Prometheus metrics under a small load', () => {
  const LOAD = 12;
  const METRICS_TOKEN = 'metrics-token-for-the-e2e-suite';
  let gateway: EmbeddedGateway;
  let client: GatewayClient;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    // A long retry delay keeps the no-route message waiting, so the retry backlog is observable.
    gateway = await startEmbeddedGateway({
      RETRY_BASE_DELAY_MS: '60000',
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN,
    });
    client = new GatewayClient(gateway.url, gateway.auth);
    await client.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ dlrDelayMs: 20 }), {
      'content-type': 'application/json',
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  // The separate metrics listener (METRICS_PORT, loopback by default), with the token it then requires too.
  const scrape = async (): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');

    return response.text();
  };

  it('serves /metrics only to the metrics token, on the API port and on the metrics listener', async () => {
    for (const base of [gateway.url, `http://127.0.0.1:${metricsPort}`]) {
      const anonymous = await fetch(`${base}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      // An API key, even an admin one, is not the metrics token.
      expect((await fetch(`${base}/metrics`, { headers: gateway.auth })).status).toBe(401);
      const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('sms_http_requests_total');
    }
    // The metrics listener serves nothing else.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/messages`)).status).toBe(404);
  });

  it('counts requests, messages, provider calls, receipts and bus records, and reports lag and backlogs', async () => {
    const before = await scrape();
    const ids: string[] = [];
    for (let i = 0; i < LOAD; i++) {
      const accepted = await client.post('/v1/messages', { to: '+447400123456', body: `load ${i}` });
      expect(accepted.status).toBe(202);
      ids.push(accepted.body['id']);
    }
    const refused = await client.post('/v1/messages', { to: '+1555', body: 'bad number' });
    expect(refused.status).toBe(422);
    const noRoute = await client.post('/v1/messages', { to: '+525512345678', body: 'nowhere to go' });
    expect(noRoute.status).toBe(202);
    for (const id of ids) {
      await client.waitForMessage(id, (m) => m.status === 'delivered');
    }
    // Receipts are counted when dlr-processor publishes them, a moment before intake applies them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await scrape();
    const grew = (name: string, labels: Record<string, string> = {}): number =>
      sample(after, name, labels) - sample(before, name, labels);

    expect(grew('sms_http_requests_total', { route: '/v1/messages', method: 'POST', status_code: '202' })).toBe(
      LOAD + 1,
    );
    expect(grew('sms_http_requests_total', { route: '/v1/messages', status_code: '422' })).toBe(1);
    expect(grew('sms_http_request_duration_seconds_count', { route: '/v1/messages', status_code: '202' })).toBe(
      LOAD + 1,
    );
    expect(grew('sms_messages_total', { status: 'queued', country: 'GB' })).toBe(LOAD);
    expect(grew('sms_messages_total', { status: 'sent', provider: 'twilio', country: 'GB' })).toBe(LOAD);
    expect(grew('sms_messages_total', { status: 'delivered', provider: 'twilio', country: 'GB' })).toBe(LOAD);
    expect(grew('sms_message_cost_total', { provider: 'twilio', country: 'GB', currency: 'USD' })).toBeCloseTo(
      LOAD * 0.04,
      5,
    );
    expect(grew('sms_provider_sends_total', { provider: 'twilio', outcome: 'sent' })).toBe(LOAD);
    expect(grew('sms_provider_send_duration_seconds_count', { provider: 'twilio', outcome: 'sent' })).toBe(LOAD);
    expect(grew('sms_no_route_total', { country: 'MX' })).toBeGreaterThanOrEqual(1);
    expect(
      grew('sms_dlr_received_total', { provider: 'twilio', kind: 'status', verified: 'true' }),
    ).toBeGreaterThanOrEqual(LOAD);
    expect(grew('sms_dlr_processing_lag_seconds_count', { provider: 'twilio' })).toBeGreaterThanOrEqual(LOAD);
    // Two groups read each dispatch: the send-worker sends it, opt-out indexes who messaged whom (opt-out.md).
    expect(grew('sms_bus_records_consumed_total', { topic: 'sms.dispatch.v1', outcome: 'ok' })).toBe(2 * LOAD);
    expect(grew('sms_bus_records_published_total', { topic: 'sms.accepted.v1' })).toBeGreaterThanOrEqual(LOAD + 1);
    // Status fan-out (ADR 0027): intake and router-health read every status record; dlr-processor only the
    // send results' copies, opt-out only the provider-reported opt-outs' copies.
    const fetched = (topic: string) => grew('sms_bus_records_consumed_total', { topic });
    const published = (topic: string) => grew('sms_bus_records_published_total', { topic });
    expect(published('sms.send.result.v1')).toBeGreaterThanOrEqual(LOAD);
    expect(fetched('sms.send.result.v1')).toBe(published('sms.send.result.v1'));
    expect(fetched('sms.status.v1')).toBe(2 * published('sms.status.v1'));
    expect(fetched('sms.optout.reported.v1')).toBe(published('sms.optout.reported.v1'));

    // Scrape-time gauges: present, and caught up once the load has drained.
    for (const group of ['intake', 'router', 'send-worker', 'dlr-processor']) {
      expect(after).toMatch(new RegExp(`sms_consumer_lag\\{group="${group}",topic="[^"]+",partition="\\d+"\\} \\d+`));
    }
    expect(sample(after, 'sms_consumer_lag', { group: 'send-worker' })).toBe(0);
    expect(hasSeries(after, 'sms_outbox_backlog')).toBe(true);
    expect(sample(after, 'sms_outbox_backlog', { outbox: 'intake_outbox' })).toBe(0);
    expect(hasSeries(after, 'sms_retry_backlog')).toBe(true);
    // The MX message waits in the router's no-route backlog (still queued): no provider serves Mexico.
    expect(sample(after, 'sms_queued_no_route', { country: 'MX' })).toBeGreaterThanOrEqual(1);
    expect(hasSeries(after, 'sms_provider_health')).toBe(true);
    expect(hasSeries(after, 'sms_process_cpu_user_seconds_total')).toBe(true);
    // No label carries a phone number: the senders that served the load and the recipient are absent.
    expect(sample(after, 'sms_rate_limit_delay_seconds_count', { provider: 'twilio' })).toBeGreaterThanOrEqual(LOAD);
    const labelValues = after
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .flatMap((line) => [...line.matchAll(/="([^"]*)"/g)].map((match) => match[1] ?? ''));
    // A run of 7+ digits that is not part of a hex id (replica group names carry UUIDs).
    const phoneLike = /(?:^|[^0-9a-f-])\+?\d{7,}(?![0-9a-f-])/i;
    expect(labelValues.filter((value) => phoneLike.test(value))).toEqual([]);
  }, 60_000);
});
