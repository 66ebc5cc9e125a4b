import type { ClassConstructor } from 'class-transformer';
import { ContractViolationError, decodeEvent } from './decode';
import { DEFAULT_ACCOUNT_ID } from './accounts';
import { ACCOUNT, CONTRACT_SAMPLES } from './contract-samples';
import { DispatchRequestedV1, MessageAcceptedV1 } from './message-accepted.event';
import { SendRequestedV1 } from './send-requested.event';
import { MessageTransitionV1, StatusChangedV1 } from './status-changed.event';

describe(decodeEvent.name, () => {
  describe.each(CONTRACT_SAMPLES.map((c) => [c.cls.name, c] as const))('%s', (name, { cls, valid, wrongType }) => {
    it('decodes a valid payload into an instance with the same fields', () => {
      const decoded = decodeEvent(cls, JSON.parse(JSON.stringify(valid)));

      expect(decoded).toBeInstanceOf(cls);
      expect({ ...decoded }).toEqual(valid);
    });

    it('refuses an unknown property', () => {
      expect(() => decodeEvent(cls, { ...valid, extra: 1 })).toThrow(
        new ContractViolationError(`${name}: extra: property extra should not exist`),
      );
    });

    it.each(wrongType)('refuses %s = %p', (field, value) => {
      expect(() => decodeEvent(cls, { ...valid, [field]: value })).toThrow(ContractViolationError);
      expect(() => decodeEvent(cls, { ...valid, [field]: value })).toThrow(new RegExp(`^${name}: ${field}: `));
    });

    it('refuses a payload without its required fields', () => {
      expect(() => decodeEvent(cls, {})).toThrow(ContractViolationError);
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['undefined', undefined],
      ['an array', [valid]],
      ['a string', JSON.stringify(valid)],
      ['a number', 42],
    ])('refuses %s', (_what, value) => {
      expect(() => decodeEvent(cls, value)).toThrow(new ContractViolationError(`${name}: value is not an object`));
    });
  });
});

describe('accountId on records from before the field', () => {
  const sampleOf = (cls: object): Record<string, unknown> => {
    const sample = CONTRACT_SAMPLES.find((c) => c.cls === cls);
    if (!sample) {
      throw new Error('no sample');
    }

    return sample.valid;
  };

  const upgraded: ClassConstructor<object>[] = [
    MessageAcceptedV1,
    DispatchRequestedV1,
    StatusChangedV1,
    MessageTransitionV1,
  ];

  it.each(upgraded.map((c) => [c.name, c] as const))(
    '%s without accountId, or with null, decodes as DEFAULT_ACCOUNT_ID; with one, keeps it',
    (_name, cls) => {
      const { accountId: _dropped, ...old } = sampleOf(cls);
      expect(old).not.toHaveProperty('accountId');
      expect(decodeEvent(cls, JSON.parse(JSON.stringify(old)))).toHaveProperty('accountId', DEFAULT_ACCOUNT_ID);
      expect(decodeEvent(cls, { ...old, accountId: null })).toHaveProperty('accountId', DEFAULT_ACCOUNT_ID);
      expect(decodeEvent(cls, { ...old, accountId: ACCOUNT })).toHaveProperty('accountId', ACCOUNT);
    },
  );

  it('leaves sms.send.v1 without one as it came: intake refuses it (ACCOUNT_REQUIRED), nothing is assumed', () => {
    const { accountId: _dropped, ...request } = sampleOf(SendRequestedV1);
    expect(decodeEvent(SendRequestedV1, request).accountId).toBeUndefined();
  });
});
