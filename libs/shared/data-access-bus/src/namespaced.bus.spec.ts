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

  it('puts the global topics of every region under one shared prefix, and the rest under each region', async () => {
    const inner = new InProcessBus({ logger: silentBusLogger });
    const global = { prefix: 'world.', topics: new Set(['sms.optout.v1']) };
    const eu = new NamespacedBus(inner, 'eu.', global);
    const us = new NamespacedBus(inner, 'us.', global);
    const usSeen: ConsumedRecord[] = [];
    const brokerTopics: string[] = [];
    try {
      await us.subscribe({
        groupId: 'intake-optout',
        topics: ['sms.optout.v1', 'sms.accepted.v1'],
        handler: async (r) => void usSeen.push(r),
      });
      await inner.subscribe({
        groupId: 'observer',
        topics: ['world.sms.optout.v1', 'eu.sms.accepted.v1'],
        handler: async (r) => void brokerTopics.push(r.topic),
      });
      await eu.publish([
        { topic: 'sms.optout.v1', key: '+14155550100', value: { optedOut: true } },
        { topic: 'sms.accepted.v1', key: 'm', value: { n: 1 } },
      ]);

      await waitFor('both records on the broker', () => brokerTopics.length === 2, 3_000);
      expect(brokerTopics.sort()).toEqual(['eu.sms.accepted.v1', 'world.sms.optout.v1']);
      // The US region reads the EU's opt-out under its plain name, and none of the EU's regional records.
      await waitFor('the opt-out in the other region', () => usSeen.length === 1, 3_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(usSeen).toHaveLength(1);
      expect(usSeen[0]).toMatchObject({ topic: 'sms.optout.v1', key: '+14155550100' });
    } finally {
      await inner.close();
    }
  });
});
