import { DeliveryStatus, ErrorClass } from '@sms/provider-port';
import { readRecord, reportFromRecord, type SmppDeliverRecord, webhookFromRecord } from './smpp.deliver';
import { normaliseSmppMessageId, parseReceiptDate, parseReceiptText } from './smpp.receipt';

const TEXT =
  'id:0123456789 sub:001 dlvrd:001 submit date:2407011230 done date:2407011231 stat:DELIVRD err:000 text:Hello';

describe('parseReceiptText', () => {
  it('reads the SMPP 3.4 Appendix B format', () => {
    expect(parseReceiptText(TEXT)).toEqual({
      id: '0123456789',
      sub: '001',
      dlvrd: '001',
      submitDate: new Date('2024-07-01T12:30:00Z'),
      doneDate: new Date('2024-07-01T12:31:00Z'),
      stat: 'DELIVRD',
      err: '000',
      text: 'Hello',
    });
  });

  it('is tolerant: any case, seconds in dates, text with colons, fields missing', () => {
    const parsed = parseReceiptText(
      'ID:abc-123 Sub:1 DLVRD:0 Submit Date:240701123005 stat:UNDELIV err:012 Text:a: b c',
    );
    expect(parsed).toMatchObject({ id: 'abc-123', stat: 'UNDELIV', err: '012', text: 'a: b c' });
    expect(parsed?.submitDate).toEqual(new Date('2024-07-01T12:30:05Z'));
    expect(parsed?.doneDate).toBeUndefined();
    expect(parseReceiptText('hello there')).toBeNull();
    expect(parseReceiptText('id:1 sub:001')).toBeNull();
  });

  it('rejects impossible dates', () => {
    expect(parseReceiptDate('2413011230')).toBeUndefined();
    expect(parseReceiptDate('24070112')).toBeUndefined();
  });
});

describe('normaliseSmppMessageId', () => {
  it('makes hex ids case- and padding-insensitive', () => {
    expect(normaliseSmppMessageId('00A1B2C3D4')).toBe('a1b2c3d4');
    expect(normaliseSmppMessageId(' a1b2c3d4 ')).toBe('a1b2c3d4');
    expect(normaliseSmppMessageId('0xA1B2')).toBe('a1b2');
  });

  it('turns a decimal receipt id into the hex of submit_sm_resp', () => {
    expect(normaliseSmppMessageId('0002712847316', 'decimal')).toBe(normaliseSmppMessageId('A1B2C3D4'));
  });

  it('keeps opaque ids (UUIDs) apart from case', () => {
    expect(normaliseSmppMessageId('6F9619FF-8B86-D011-B42D-00C04FC964FF', 'text')).toBe(
      '6f9619ff-8b86-d011-b42d-00c04fc964ff',
    );
    expect(normaliseSmppMessageId('6F9619FF-8B86-D011', 'hex')).toBe('6f9619ff-8b86-d011');
  });
});

const record = (overrides: Partial<SmppDeliverRecord>, text = TEXT): SmppDeliverRecord => ({
  v: 1,
  sequence_number: 1,
  source_addr: '46701234567',
  destination_addr: '46701740605',
  esm_class: 0x04,
  data_coding: 0,
  short_message: Buffer.from(text, 'ascii').toString('hex'),
  received_at: '2024-07-01T12:31:05.000Z',
  ...overrides,
});

describe('reportFromRecord', () => {
  it('reads the text when there are no TLVs', () => {
    expect(reportFromRecord(record({}), 'hex')).toEqual({
      providerMessageId: '123456789',
      status: DeliveryStatus.Delivered,
      providerStatus: 'DELIVRD',
      occurredAt: new Date('2024-07-01T12:31:00Z'),
    });
    expect(reportFromRecord(record({}), 'decimal')?.providerMessageId).toBe((123456789).toString(16));
  });

  it('prefers receipted_message_id and message_state', () => {
    const report = reportFromRecord(record({ receipted_message_id: '075BCD15', message_state: 5 }), 'decimal');
    expect(report).toMatchObject({ providerMessageId: '75bcd15', status: DeliveryStatus.Undelivered });
  });

  it('reports a non-zero err with its class (MAP absent subscriber: transient), under the id of its part', () => {
    const text = TEXT.replace('stat:DELIVRD err:000', 'stat:UNDELIV err:027');
    const report = reportFromRecord(record({}, text), 'hex');
    expect(report).toMatchObject({
      providerMessageId: '123456789',
      status: DeliveryStatus.Undelivered,
      errorCode: 'err:027',
      errorClass: ErrorClass.Transient,
    });
    const unknownSubscriber = reportFromRecord(
      record({}, TEXT.replace('stat:DELIVRD err:000', 'stat:UNDELIV err:001')),
      'hex',
    );
    expect(unknownSubscriber).toMatchObject({ errorCode: 'err:001', errorClass: ErrorClass.Permanent });
    expect(report?.providerStatus).toBe('UNDELIV');
  });

  it('ignores MO and unreadable records', () => {
    expect(reportFromRecord(record({ esm_class: 0 }), 'hex')).toBeNull();
    expect(reportFromRecord(record({}, 'no receipt here'), 'hex')).toBeNull();
    expect(readRecord(webhookFromRecord(record({}), 'smpp://x'))).not.toBeNull();
    expect(readRecord({ ...webhookFromRecord(record({}), 'smpp://x'), body: '{"v":2}' })).toBeNull();
    expect(readRecord({ ...webhookFromRecord(record({}), 'smpp://x'), body: 'not json' })).toBeNull();
  });
});
