import { type StatusChangedV1, StatusEventKind, StatusEventSource, statusRecord } from '@sms/contracts';
import { cannotReportOptOut } from './opt-out.consumer';

const event = (kind: StatusEventKind, errorClass: string | null): StatusChangedV1 =>
  ({
    eventId: 'e1',
    messageId: 'm1',
    kind,
    source: StatusEventSource.Dlr,
    errorCode: errorClass ? '21610' : null,
    errorClass,
    occurredAt: '2026-12-01T10:00:00.000Z',
  }) as StatusChangedV1;

describe(cannotReportOptOut.name, () => {
  it.each<[string, StatusEventKind, string | null]>([
    ['a delivered receipt', StatusEventKind.Delivered, null],
    ['a transient failure', StatusEventKind.Undelivered, 'transient'],
    ['a permanent failure', StatusEventKind.Failed, 'permanent'],
  ])('passes over %s, as its producer writes it', (_name, kind, errorClass) => {
    expect(cannotReportOptOut(statusRecord(event(kind, errorClass)).headers)).toBe(true);
  });

  it('parses a provider-reported opt-out', () => {
    expect(cannotReportOptOut(statusRecord(event(StatusEventKind.Undelivered, 'opted_out')).headers)).toBe(false);
  });

  it('parses what carries no error-class header: inbound messages, an older producer’s status events', () => {
    expect(cannotReportOptOut({})).toBe(false);
    expect(cannotReportOptOut({ 'sms-status-source': StatusEventSource.Dlr })).toBe(false);
  });
});
