import { waitFor } from './bus.behaviour';
import { silentBusLogger } from './bus.logger';
import type { ConsumedRecord } from './bus.port';
import { InProcessBus } from './in-process.bus';
import { NamespacedBus } from './namespaced.bus';

describe(NamespacedBus.name, () => {
  it('puts topics and groups under the prefix on the broker and hands the plain names to the service', async () => {
    const inner = new InProcessBus({ logger: silentBusLogger });
    const bus = new NamespacedBus(inner, 'run1.');
    const other = new NamespacedBus(inner, 'run2.');
    const seen: ConsumedRecord[] = [];
    const onBroker: ConsumedRecord[] = [];
    const seenByOther: ConsumedRecord[] = [];
    try {
      await bus.subscribe({ groupId: 'router', topics: ['sms.accepted.v1'], handler: async (r) => void seen.push(r) });
      await other.subscribe({
        groupId: 'router',
        topics: ['sms.accepted.v1'],
        handler: async (r) => void seenByOther.push(r),
      });
      await inner.subscribe({
        groupId: 'observer',
        topics: ['run1.sms.accepted.v1'],
        handler: async (r) => void onBroker.push(r),
      });
      await bus.publish([{ topic: 'sms.accepted.v1', key: 'k', value: { n: 1 } }]);

      await waitFor('the record on both sides', () => seen.length === 1 && onBroker.length === 1, 3_000);
      expect(seen[0]).toMatchObject({ topic: 'sms.accepted.v1', key: 'k', value: { n: 1 } });
      expect(onBroker[0]?.topic).toBe('run1.sms.accepted.v1');
      // The other gateway's group of the same name, on its own prefix, never sees the record.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seenByOther).toEqual([]);
      const lags = await bus.consumerLag();
      // (One inner bus serves both here; a process has its own, so only its own prefix is stripped.)
      expect(lags).toEqual(
        expect.arrayContaining([expect.objectContaining({ groupId: 'router', topic: 'sms.accepted.v1' })]),
      );
      expect(lags.some((lag) => lag.topic === 'run1.sms.accepted.v1' && lag.groupId === 'run1.router')).toBe(false);
    } finally {
      await inner.close();
    }
  });
});
