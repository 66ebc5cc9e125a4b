import { metrics } from '@sms/metrics';
import { exportConsumerLag, lagGroupLabel } from './bus.metrics';
import type { ConsumerLag } from './bus.port';

async function exported(): Promise<Record<string, number>> {
  const { values } = await metrics.consumerLag.get();

  return Object.fromEntries(
    values.map(({ labels, value }) => [`${labels.group}/${labels.topic}/${labels.partition}`, value]),
  );
}

const lag = (groupId: string, partition: number, value: number, groupLeader: boolean): ConsumerLag => ({
  groupId,
  topic: 'sms.accepted.v1',
  partition,
  lag: value,
  groupLeader,
});

describe('exportConsumerLag', () => {
  afterEach(() => metrics.consumerLag.reset());

  it('exports only the groups this process leads', async () => {
    exportConsumerLag([lag('router', 0, 1200, true), lag('router', 1, 800, true), lag('intake', 0, 5000, false)]);

    expect(await exported()).toEqual({ 'router/sms.accepted.v1/0': 1200, 'router/sms.accepted.v1/1': 800 });
  });

  it('drops the series of a group whose leadership moved to another process', async () => {
    exportConsumerLag([lag('router', 0, 1200, true)]);
    exportConsumerLag([lag('router', 0, 1300, false)]);

    expect(await exported()).toEqual({});
  });

  it('labels a per-process reader group by its name, the same after a restart', async () => {
    exportConsumerLag([lag('mask-directory.0f8e6c2a-52d4-4c1e-9a57-3d2b8c1e4f60', 0, 3, true)]);
    const first = await exported();
    exportConsumerLag([lag('mask-directory.7d1b2e4c-1a3f-4b5d-8e9f-0a1b2c3d4e5f', 0, 4, true)]);

    expect(first).toEqual({ 'mask-directory/sms.accepted.v1/0': 3 });
    expect(await exported()).toEqual({ 'mask-directory/sms.accepted.v1/0': 4 });
  });

  it('keeps a group name that only looks like it has a suffix', () => {
    expect(lagGroupLabel('send-worker-reconcile')).toBe('send-worker-reconcile');
    expect(lagGroupLabel('router.health')).toBe('router.health');
    expect(lagGroupLabel('opt-out-replica.0F8E6C2A-52D4-4C1E-9A57-3D2B8C1E4F60')).toBe('opt-out-replica');
  });
});
