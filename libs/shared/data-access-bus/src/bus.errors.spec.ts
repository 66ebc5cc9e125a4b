import { ContractViolationError } from '@sms/contracts';
import { isNonRetriable } from './bus.errors';
import { NonRetriableError } from './bus.port';

describe(isNonRetriable.name, () => {
  it.each([
    ['NonRetriableError', new NonRetriableError('bad'), true],
    [
      'a copy of NonRetriableError from another module registry',
      Object.assign(new Error('x'), { name: 'NonRetriableError' }),
      true,
    ],
    ['a contract violation (declares nonRetriable: true)', new ContractViolationError('StatusChangedV1: kind'), true],
    ['a plain error', new Error('database down'), false],
    ['an error saying nonRetriable: false', Object.assign(new Error('x'), { nonRetriable: false }), false],
    ['not an error', { nonRetriable: true }, false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isNonRetriable(error)).toBe(expected);
  });
});
