import { DeliveryStatus, ErrorClass } from '@sms/provider-port';
import {
  classifyCommandStatus,
  parseStatusCode,
  RECEIPT_STATES,
  SMPP_STATUS,
  statusCode,
  statusOfMessageState,
  statusOfStat,
} from './smpp.codes';
import { parseSmppConfig } from './smpp.config';
import { SmppSmsProvider } from './smpp.provider';

describe('command_status classification (providers.md §5)', () => {
  it.each([
    ['ESME_RTHROTTLED', 0x58, ErrorClass.Transient],
    ['ESME_RMSGQFUL', 0x14, ErrorClass.Transient],
    ['ESME_RSYSERR', 0x08, ErrorClass.Transient],
    ['ESME_RX_T_APPN', 0x64, ErrorClass.Transient],
    ['ESME_RSUBMITFAIL', 0x45, ErrorClass.Transient],
    ['ESME_RINVBNDSTS', 0x04, ErrorClass.Transient],
    ['ESME_RINVDSTADR', 0x0b, ErrorClass.Permanent],
    ['ESME_RINVMSGLEN', 0x01, ErrorClass.Permanent],
    ['ESME_RX_P_APPN', 0x65, ErrorClass.Permanent],
    ['ESME_RX_R_APPN', 0x66, ErrorClass.Permanent],
    ['ESME_RINVSRCADR', 0x0a, ErrorClass.Configuration],
    ['ESME_RBINDFAIL', 0x0d, ErrorClass.Configuration],
    ['ESME_RINVPASWD', 0x0e, ErrorClass.Configuration],
    ['ESME_RINVSYSID', 0x0f, ErrorClass.Configuration],
  ] as const)('%s (0x%s) is %s', (name, value, expected) => {
    expect(SMPP_STATUS[name]).toBe(value);
    expect(classifyCommandStatus(value)).toBe(expected);
  });

  it('treats an unknown status as permanent', () => {
    expect(classifyCommandStatus(0xff)).toBe(ErrorClass.Permanent);
  });

  it('reads codes written as wire hex, decimal or names', () => {
    expect(statusCode(0x58)).toBe('0x00000058');
    expect(parseStatusCode('0x00000058')).toBe(0x58);
    expect(parseStatusCode('88')).toBe(0x58);
    expect(parseStatusCode('ESME_RINVSRCADR')).toBe(0x0a);
    expect(parseStatusCode('nonsense')).toBeNaN();
  });

  it('classifies through the adapter: status codes, transport codes and receipt errors', () => {
    const provider = new SmppSmsProvider(parseSmppConfig({ SMPP_HOST: 'localhost', SMPP_SYSTEM_ID: 'x' }));
    expect(provider.classifyError('0x00000058')).toBe(ErrorClass.Transient);
    expect(provider.classifyError('0x0000000b')).toBe(ErrorClass.Permanent);
    expect(provider.classifyError('0x0000000e')).toBe(ErrorClass.Configuration);
    expect(provider.classifyError('SMPP_TIMEOUT')).toBe(ErrorClass.Transient);
    expect(provider.classifyError('err:001')).toBe(ErrorClass.Permanent);
    expect(provider.classifyError('err:027')).toBe(ErrorClass.Transient);
    expect(provider.classifyError('err:3-31')).toBe(ErrorClass.Transient);
  });

  it('classes receipt errors by the configured SMSC family and the operator overrides', () => {
    const vonage = new SmppSmsProvider(
      parseSmppConfig({
        SMPP_HOST: 'localhost',
        SMPP_SYSTEM_ID: 'x',
        SMPP_SMSC_FAMILY: 'vonage',
        SMPP_RECEIPT_ERROR_CLASSES: '9=transient, 3-1=configuration',
      }),
    );
    expect(vonage.classifyError('err:2')).toBe(ErrorClass.Transient);
    expect(vonage.classifyError('err:003')).toBe(ErrorClass.Permanent);
    expect(vonage.classifyError('err:9')).toBe(ErrorClass.Transient);
    expect(vonage.classifyError('err:10')).toBe(ErrorClass.Permanent);
    expect(vonage.classifyError('err:3-1')).toBe(ErrorClass.Configuration);
  });
});

describe('receipt states (providers.md §5 mapping)', () => {
  it.each([
    ['ENROUTE', 1, DeliveryStatus.Sent],
    ['DELIVRD', 2, DeliveryStatus.Delivered],
    ['EXPIRED', 3, DeliveryStatus.Undelivered],
    ['DELETED', 4, DeliveryStatus.Undelivered],
    ['UNDELIV', 5, DeliveryStatus.Undelivered],
    ['ACCEPTD', 6, DeliveryStatus.Sent],
    ['UNKNOWN', 7, DeliveryStatus.Undelivered],
    ['REJECTD', 8, DeliveryStatus.Failed],
  ] as const)('%s / message_state %d → %s', (word, state, status) => {
    expect(statusOfStat(word)?.status).toBe(status);
    expect(statusOfStat(word.toLowerCase())?.status).toBe(status);
    expect(statusOfMessageState(state)).toEqual({ word, status });
  });

  it('covers every state of the table and nothing else', () => {
    expect(RECEIPT_STATES).toHaveLength(8);
    expect(statusOfStat('DELIVERED')?.status).toBe(DeliveryStatus.Delivered);
    expect(statusOfStat('BOGUS')).toBeNull();
    expect(statusOfMessageState(9)).toBeNull();
  });
});

describe('parseSmppConfig', () => {
  it('applies defaults and lists every bad key', () => {
    expect(parseSmppConfig({ SMPP_HOST: 'smsc', SMPP_SYSTEM_ID: 'acme' })).toMatchObject({
      port: 2775,
      binds: 2,
      window: 20,
      dlrIdBase: 'hex',
      smscFamily: 'gsm-map',
      receiptErrorClasses: {},
    });
    expect(() => parseSmppConfig({ SMPP_WINDOW: '0', SMPP_PASSWORD: 'far-too-long' })).toThrow(
      /SMPP_HOST.*SMPP_SYSTEM_ID.*SMPP_PASSWORD|SMPP_HOST/,
    );
    try {
      parseSmppConfig({ SMPP_WINDOW: '0', SMPP_PASSWORD: 'far-too-long' });
    } catch (error) {
      expect((error as { invalidKeys: string[] }).invalidKeys.sort()).toEqual(
        ['SMPP_HOST', 'SMPP_PASSWORD', 'SMPP_SYSTEM_ID', 'SMPP_WINDOW'].sort(),
      );
    }
  });

  it('refuses an unknown SMSC family and a malformed override map', () => {
    const invalid = (raw: Record<string, string>): string[] => {
      try {
        parseSmppConfig({ SMPP_HOST: 'smsc', SMPP_SYSTEM_ID: 'acme', ...raw });
      } catch (error) {
        return (error as { invalidKeys: string[] }).invalidKeys;
      }

      return [];
    };
    expect(invalid({ SMPP_SMSC_FAMILY: 'kannel' })).toEqual(['SMPP_SMSC_FAMILY']);
    expect(invalid({ SMPP_RECEIPT_ERROR_CLASSES: '27=maybe' })).toEqual(['SMPP_RECEIPT_ERROR_CLASSES']);
    expect(invalid({ SMPP_RECEIPT_ERROR_CLASSES: 'abc=transient' })).toEqual(['SMPP_RECEIPT_ERROR_CLASSES']);
    expect(invalid({ SMPP_RECEIPT_ERROR_CLASSES: '27=permanent,0x22=transient' })).toEqual([]);
  });
});
