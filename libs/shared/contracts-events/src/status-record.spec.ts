import { StatusEventKind, StatusEventSource } from './enums';
import type { StatusChangedV1 } from './status-changed.event';
import { statusRecord, statusRecords } from './status-record';
import { STATUS_ERROR_CLASS_HEADER, STATUS_KIND_HEADER, STATUS_SOURCE_HEADER, TOPICS } from './topics';

describe(statusRecord.name, () => {
  it.each(Object.values(StatusEventSource))(
    'keys a %s event by message, names its source and kind in headers, on sms.status.v1',
    (source) => {
      const event = {
        eventId: 'e1',
        messageId: 'm1',
        kind: StatusEventKind.Delivered,
        source,
        occurredAt: '2026-12-01T10:00:00.000Z',
      } as StatusChangedV1;

      expect(statusRecord(event)).toEqual({
        topic: TOPICS.status,
        key: 'm1',
        value: event,
        headers: {
          [STATUS_SOURCE_HEADER]: source,
          [STATUS_ERROR_CLASS_HEADER]: '',
          [STATUS_KIND_HEADER]: StatusEventKind.Delivered,
        },
      });
    },
  );

  it('names the error class of a failure in a header', () => {
    const event = {
      eventId: 'e2',
      messageId: 'm2',
      kind: StatusEventKind.Undelivered,
      source: StatusEventSource.Dlr,
      errorCode: '21610',
      errorClass: 'opted_out',
      occurredAt: '2026-12-01T10:00:00.000Z',
    } as StatusChangedV1;

    expect(statusRecord(event).headers[STATUS_ERROR_CLASS_HEADER]).toBe('opted_out');
  });

  it.each(Object.values(StatusEventSource))(
    'publishes a %s event on sms.status.v1, a send result also on sms.send.result.v1, an opt-out on sms.optout.reported.v1',
    (source) => {
      const event = { eventId: 'e3', messageId: 'm3', kind: StatusEventKind.Failed, source } as StatusChangedV1;
      const optedOut = { ...event, errorClass: 'opted_out' } as StatusChangedV1;
      const sendResult = source === StatusEventSource.SendWorker || source === StatusEventSource.Reconcile;
      const copies = (of: StatusChangedV1) => (sendResult ? [{ ...statusRecord(of), topic: TOPICS.sendResult }] : []);

      expect(statusRecords(event)).toEqual([statusRecord(event), ...copies(event)]);
      expect(statusRecords({ ...event, errorClass: 'transient' })).toHaveLength(sendResult ? 2 : 1);
      expect(statusRecords(optedOut)).toEqual([
        statusRecord(optedOut),
        ...copies(optedOut),
        { ...statusRecord(optedOut), topic: TOPICS.optoutReported },
      ]);
    },
  );
});
