import { DeliveryStatus, ErrorClass } from '@sms/provider-port';
import {
  parseReceiptErrorOverrides,
  receiptErrorKey,
  receiptErrorTable,
  SmppReceiptErrorClassifier,
} from './smpp.receipt-errors';

const T = ErrorClass.Transient;
const P = ErrorClass.Permanent;

describe('SMPP receipt error classes (docs/receipt-errors.md)', () => {
  it.each([
    ['001', P, 'unknownSubscriber'],
    ['005', P, 'unidentifiedSubscriber'],
    ['006', T, 'absentSubscriberSM'],
    ['008', P, 'roamingNotAllowed'],
    ['009', P, 'illegalSubscriber'],
    ['011', P, 'teleserviceNotProvisioned'],
    ['013', P, 'callBarred'],
    ['021', P, 'facilityNotSupported'],
    ['027', T, 'absentSubscriber'],
    ['031', T, 'subscriberBusyForMT-SMS'],
    ['032', T, 'sm-DeliveryFailure'],
    ['033', T, 'messageWaitingListFull'],
    ['034', T, 'systemFailure'],
    ['036', T, 'unexpectedDataValue'],
    ['3-27', T, 'network_error_code GSM absentSubscriber'],
    ['3-1', P, 'network_error_code GSM unknownSubscriber'],
  ] as const)('gsm-map: err %s is %s (%s)', (err, errorClass, _name) => {
    expect(new SmppReceiptErrorClassifier('gsm-map').classify(err, DeliveryStatus.Undelivered)).toBe(errorClass);
  });

  it.each([
    ['1', T],
    ['2', T],
    ['3', P],
    ['4', P],
    ['5', P],
    ['6', P],
    ['7', T],
    ['8', T],
    ['9', ErrorClass.OptedOut],
    ['10', P],
    ['11', T],
    ['12', P],
    ['99', P],
  ] as const)("vonage: err %s is %s (as in the Vonage adapter's DLR table)", (err, errorClass) => {
    expect(new SmppReceiptErrorClassifier('vonage').classify(err, DeliveryStatus.Undelivered)).toBe(errorClass);
  });

  it('reads the GSM network_error_code with the MAP table whatever the family, other network types as unlisted', () => {
    expect(new SmppReceiptErrorClassifier('vonage').classOf('3-31')).toBe(T);
    expect(new SmppReceiptErrorClassifier('none').classOf('3-6')).toBe(T);
    expect(new SmppReceiptErrorClassifier('gsm-map').classOf('1-27')).toBe(P);
  });

  it('classes codes no table names, and every code of the `none` family, permanent', () => {
    expect(new SmppReceiptErrorClassifier('gsm-map').classOf('999')).toBe(P);
    expect(new SmppReceiptErrorClassifier('none').classOf('027')).toBe(P);
    expect(new SmppReceiptErrorClassifier('gsm-map').classOf('not-a-code')).toBe(P);
  });

  it('gives no class to err 000, to a delivered receipt or to an intermediate one', () => {
    const classifier = new SmppReceiptErrorClassifier('gsm-map');
    expect(classifier.classify('000', DeliveryStatus.Undelivered)).toBeUndefined();
    expect(classifier.classify('027', DeliveryStatus.Delivered)).toBeUndefined();
    expect(classifier.classify('027', DeliveryStatus.Sent)).toBeUndefined();
    expect(classifier.classify('027', DeliveryStatus.Failed)).toBe(T);
  });

  it('applies the operator overrides before the family table', () => {
    const classifier = new SmppReceiptErrorClassifier(
      'gsm-map',
      parseReceiptErrorOverrides('27=permanent, 0x64=transient, 3-13=opted_out'),
    );
    expect(classifier.classOf('err:027')).toBe(P);
    expect(classifier.classOf('100')).toBe(T);
    expect(classifier.classOf('3-13')).toBe(ErrorClass.OptedOut);
    expect(classifier.classOf('034')).toBe(T);
  });

  it('reads codes in their usual spellings and refuses malformed override pairs', () => {
    expect(['027', 'err:27', '27', '0x1b'].map(receiptErrorKey)).toEqual(['27', '27', '27', '27']);
    expect(receiptErrorKey('3-031')).toBe('3-31');
    expect(receiptErrorKey('abc')).toBeNull();
    expect(parseReceiptErrorOverrides('')).toEqual({});
    expect(() => parseReceiptErrorOverrides('27')).toThrow(/code=class/);
    expect(() => parseReceiptErrorOverrides('27=soon')).toThrow(/code=class/);
  });

  it('has a table per family, and `none` is empty', () => {
    expect(receiptErrorTable('gsm-map').length).toBeGreaterThan(10);
    expect(receiptErrorTable('vonage')).toHaveLength(16);
    expect(receiptErrorTable('none')).toHaveLength(0);
  });
});
