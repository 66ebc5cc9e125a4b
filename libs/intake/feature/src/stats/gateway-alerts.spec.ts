import type { GaugeSample } from '@sms/metrics';
import { GatewayAlerts } from './gateway-alerts';

const gauges = (entries: Record<string, GaugeSample[]>) => async () => new Map(Object.entries(entries));

describe(GatewayAlerts.name, () => {
  it('fires with the thresholds of deploy/prometheus/alerts.yml, per series', async () => {
    const alerts = new GatewayAlerts(
      gauges({
        sms_consumer_lag: [
          { labels: { group: 'intake', topic: 'sms.status.v1', partition: 0 }, value: 4000 },
          { labels: { group: 'intake', topic: 'sms.status.v1', partition: 1 }, value: 2000 },
          // The same partition exported twice during a leader handover: counted once (max).
          { labels: { group: 'intake', topic: 'sms.status.v1', partition: 1 }, value: 1500 },
          { labels: { group: 'router', topic: 'sms.accepted.v1', partition: 0 }, value: 10 },
        ],
        sms_outbox_backlog: [
          { labels: { outbox: 'intake_outbox' }, value: 1001 },
          { labels: { outbox: 'inbound_webhooks' }, value: 1000 },
        ],
        sms_retry_due: [{ labels: {}, value: 12 }],
        sms_provider_health: [
          { labels: { provider: 'vonage' }, value: 0 },
          { labels: { provider: 'twilio' }, value: 0.5 },
        ],
        sms_queued_no_route: [{ labels: { country: 'FR' }, value: 3 }],
      }),
      () => Date.parse('2026-01-01T12:00:00Z'),
    );

    const firing = await alerts.firing();

    expect(firing.map((a) => [a.name, a.severity])).toEqual([
      ['SmsConsumerLagHigh', 'page'],
      ['SmsOutboxBacklogHigh', 'page'],
      ['SmsNoRoute', 'ticket'],
      ['SmsProviderUnhealthy', 'ticket'],
    ]);
    expect(firing[0]?.summary).toBe('Consumer group intake is 6000 records behind on sms.status.v1');
    expect(firing[0]?.since).toBe('2026-01-01T12:00:00.000Z');
  });

  it('keeps the time an alert started while it holds, and evaluates at most every 15 s', async () => {
    let now = Date.parse('2026-01-01T12:00:00Z');
    let reads = 0;
    let due = 600;
    const alerts = new GatewayAlerts(
      async () => {
        reads++;

        return new Map([['sms_retry_due', [{ labels: {}, value: due }]]]);
      },
      () => now,
    );

    await alerts.firing();
    now += 5_000;
    await alerts.firing();
    expect(reads).toBe(1);
    now += 15_000;
    const later = await alerts.firing();
    expect(reads).toBe(2);
    expect(later[0]?.since).toBe('2026-01-01T12:00:00.000Z');
    due = 0;
    now += 15_000;
    expect(await alerts.firing()).toEqual([]);
  });

  it('shows no alerts when the gauges cannot be read', async () => {
    const alerts = new GatewayAlerts(async () => {
      throw new Error('database down');
    });

    expect(await alerts.firing()).toEqual([]);
  });
});
