import type { Bus, SubscriptionOptions } from '@sms/bus';
import {
  CONSUMER_GROUPS,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  type StatusRecord,
  statusRecords,
  TOPICS,
} from '@sms/contracts';
import { DlrProcessorModule } from '@sms/dlr-processor';
import { OptOutModule } from '@sms/opt-out';
import { type KafkaGroup, ShutdownRegistry } from '@sms/platform';
import { consumerGroups } from './consumer-groups';

/**
 * ADR 0027: each consumer group of the status events fetches only the records it uses. The records are
 * statusRecords of every source, kind and error class; a group fetches a record when its subscription
 * names the record's topic (fetching, not the header filters, is what costs the broker and the reader).
 */

const ERROR_CLASSES = [undefined, 'transient', 'permanent', 'opted_out'] as const;

const EVENTS: StatusChangedV1[] = Object.values(StatusEventSource).flatMap((source) =>
  Object.values(StatusEventKind).flatMap((kind) =>
    ERROR_CLASSES.map(
      (errorClass, index) =>
        ({
          eventId: `${source}-${kind}-${index}`,
          messageId: `m-${source}-${kind}-${index}`,
          kind,
          source,
          ...(errorClass ? { errorClass } : {}),
          occurredAt: '2026-12-07T10:00:00.000Z',
        }) as StatusChangedV1,
    ),
  ),
);

const RECORDS: readonly StatusRecord[] = EVENTS.flatMap((event) => statusRecords(event));

/** The event ids of the records a subscription fetches, once per fetched record. */
const fetchedBy = (topics: readonly string[], records: readonly StatusRecord[] = RECORDS): string[] =>
  records.filter((record) => topics.includes(record.topic)).map((record) => record.value.eventId);

const idsOf = (events: readonly StatusChangedV1[]): string[] => events.map((event) => event.eventId);

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

/** The topics of the one subscription the code makes for a group (no upgrade-only topics there). */
const staticTopicsOf = (groupId: string): readonly string[] => {
  const group = consumerGroups().find((use) => use.groupId === groupId);
  if (!group) {
    throw new Error(`no subscription of ${groupId}`);
  }

  return group.topics;
};

/** A bus that records what the module subscribes. */
const capturingBus = (): { bus: Bus; subscriptions: SubscriptionOptions[] } => {
  const subscriptions: SubscriptionOptions[] = [];
  const bus = {
    subscribe: (options: SubscriptionOptions) => {
      subscriptions.push(options);

      return Promise.resolve();
    },
    publish: () => Promise.resolve(),
  } as unknown as Bus;

  return { bus, subscriptions };
};

const kafkaGroup = (legacyStatusReads: boolean): KafkaGroup => ({
  brokers: ['k:9092'],
  topicPrefix: '',
  fetchMaxWaitMs: 5_000,
  legacyStatusReads,
  security: { ssl: false },
});

async function dlrProcessorTopics(legacyStatusReads: boolean): Promise<readonly string[]> {
  const { bus, subscriptions } = capturingBus();
  const module = new DlrProcessorModule(
    bus,
    { maxPerSecond: 0 },
    {} as never,
    { start: () => undefined, stop: () => Promise.resolve() } as never,
    new ShutdownRegistry(),
    kafkaGroup(legacyStatusReads),
  );
  await module.onApplicationBootstrap();

  return subscriptions.find((options) => options.groupId === CONSUMER_GROUPS.dlrProcessor)?.topics ?? [];
}

async function optOutTopics(legacyStatusReads: boolean): Promise<readonly string[]> {
  const { bus, subscriptions } = capturingBus();
  const module = new OptOutModule(
    bus,
    { republishAll: () => Promise.resolve(0) } as never,
    { handle: () => Promise.resolve() } as never,
    { degraded: () => undefined, ready: () => undefined, register: () => () => undefined } as never,
    new ShutdownRegistry(),
    kafkaGroup(legacyStatusReads),
  );
  await module.onApplicationBootstrap();
  for (let turn = 0; turn < 10 && subscriptions.length === 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }

  return subscriptions.find((options) => options.groupId === CONSUMER_GROUPS.optOut)?.topics ?? [];
}

describe('status fan-out (ADR 0027)', () => {
  it('intake fetches every status event once, and no opt-out copy', () => {
    expect(sorted(fetchedBy(staticTopicsOf(CONSUMER_GROUPS.intake)))).toEqual(sorted(idsOf(EVENTS)));
  });

  it('router-health fetches every status event once, and no opt-out copy', () => {
    expect(sorted(fetchedBy(staticTopicsOf('router-health')))).toEqual(sorted(idsOf(EVENTS)));
  });

  it('dlr-processor fetches only the send results (the send-worker and its reconciliation), once each', async () => {
    const sendResults = EVENTS.filter(
      (event) => event.source === StatusEventSource.SendWorker || event.source === StatusEventSource.Reconcile,
    );

    expect(sorted(fetchedBy(await dlrProcessorTopics(false)))).toEqual(sorted(idsOf(sendResults)));
  });

  it('opt-out fetches only the provider-reported opt-outs, once each', async () => {
    const optedOut = EVENTS.filter((event) => event.errorClass === 'opted_out');

    expect(sorted(fetchedBy(await optOutTopics(false)))).toEqual(sorted(idsOf(optedOut)));
    expect(optedOut.length).toBeLessThan(EVENTS.length / 3);
  });

  it('while upgrading, dlr-processor and opt-out also read what an older release put on sms.status.v1', async () => {
    // The older release: every status event on sms.status.v1, no send-result or opt-out topic.
    const older = EVENTS.map((event) => ({ ...statusRecords(event)[0], topic: TOPICS.status }) as StatusRecord);
    const sendResults = EVENTS.filter((event) => event.source === StatusEventSource.SendWorker);
    const optedOut = EVENTS.filter((event) => event.errorClass === 'opted_out');

    expect(fetchedBy(await dlrProcessorTopics(false), older)).toEqual([]);
    expect(fetchedBy(await dlrProcessorTopics(true), older)).toEqual(expect.arrayContaining(idsOf(sendResults)));
    expect(fetchedBy(await optOutTopics(true), older)).toEqual(expect.arrayContaining(idsOf(optedOut)));
  });
});
