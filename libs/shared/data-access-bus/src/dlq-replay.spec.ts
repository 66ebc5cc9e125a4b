import { DLQ_HEADERS } from './bus.port';
import {
  assertReplayRequest,
  DLQ_REPLAYED_FROM_HEADER,
  type DeadLetterRecord,
  replayHeaders,
  selectForReplay,
  sourceTopicOf,
} from './dlq-replay';

const at = (iso: string): number => new Date(iso).getTime();
const letter = (partition: number, offset: string, time: string): DeadLetterRecord => ({
  partition,
  offset,
  timestamp: at(time),
  key: `k-${partition}-${offset}`,
  headers: { [DLQ_HEADERS.sourceTopic]: 'sms.status.v1', [DLQ_HEADERS.attempts]: '5' },
});

describe('DLQ replay selection', () => {
  const dlqTopic = 'sms.status.v1.dlq';
  const dlq = [
    letter(1, '7', '2026-12-06T10:00:02Z'),
    letter(0, '10', '2026-12-06T10:00:01Z'),
    letter(0, '9', '2026-12-06T10:00:01Z'),
    letter(2, '3', '2026-12-06T11:00:00Z'),
  ];

  it('puts back the oldest first (time, partition, offset), skipping what the ledger holds, up to the limit', () => {
    const selection = selectForReplay({ dlqTopic, limit: 2 }, dlq, new Set([`${dlqTopic}/1/7`]));
    expect(selection.toReplay.map((r) => `${r.partition}/${r.offset}`)).toEqual(['0/9', '0/10']);
    expect(selection.alreadyReplayed).toBe(1);
    expect(selection.remaining).toBe(1);
  });

  it('selects by the time a record was dead-lettered: from inclusive, to exclusive', () => {
    const selection = selectForReplay(
      { dlqTopic, from: new Date('2026-12-06T10:00:01Z'), to: new Date('2026-12-06T11:00:00Z') },
      dlq,
      new Set(),
    );
    expect(selection.toReplay.map((r) => `${r.partition}/${r.offset}`)).toEqual(['0/9', '0/10', '1/7']);
  });

  it('rebuilds the headers: original ones kept, DLQ headers dropped, the dead letter named', () => {
    const headers = replayHeaders(dlqTopic, {
      ...letter(0, '9', '2026-12-06T10:00:01Z'),
      headers: {
        traceparent: '00-abc-def-01',
        [DLQ_HEADERS.error]: 'Error: boom',
        [DLQ_HEADERS.sourceTopic]: 'sms.status.v1',
        [DLQ_REPLAYED_FROM_HEADER]: `${dlqTopic}/3/1`,
      },
    });
    expect(headers).toEqual({ traceparent: '00-abc-def-01', [DLQ_REPLAYED_FROM_HEADER]: `${dlqTopic}/0/9` });
  });

  it('sends a dead letter back to its source header, else to the DLQ name without .dlq', () => {
    expect(sourceTopicOf(dlqTopic, { [DLQ_HEADERS.sourceTopic]: 'sms.dispatch.v1' })).toBe('sms.dispatch.v1');
    expect(sourceTopicOf(dlqTopic, {})).toBe('sms.status.v1');
    expect(() => sourceTopicOf(dlqTopic, { [DLQ_HEADERS.sourceTopic]: 'no spaces' })).toThrow('Illegal');
  });

  it.each([
    [{ dlqTopic: 'sms.status.v1' }, 'not a DLQ topic'],
    [{ dlqTopic: 'bad topic.dlq' }, 'Illegal Kafka topic name'],
    [{ dlqTopic, limit: 0 }, 'limit'],
    [{ dlqTopic, limit: 1.5 }, 'limit'],
    [{ dlqTopic, limit: 10_001 }, 'limit'],
    [{ dlqTopic, from: new Date('nope') }, 'from'],
    [{ dlqTopic, from: new Date('2026-12-06T10:00:00Z'), to: new Date('2026-12-06T09:00:00Z') }, 'to'],
  ])('refuses %o (%s)', (request, message) => {
    expect(() => assertReplayRequest(request)).toThrow(message);
  });
});
