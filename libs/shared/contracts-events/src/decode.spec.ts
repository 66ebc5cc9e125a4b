import { ContractViolationError, decodeEvent } from './decode';
import { CONTRACT_SAMPLES } from './contract-samples';

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
