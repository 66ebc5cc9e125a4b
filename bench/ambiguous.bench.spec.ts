import { countLookups } from './ambiguous.bench';

const done = (messageId: string, attempt: number, outcome: object) => ({
  message_id: messageId,
  attempt,
  state: 'done',
  outcome: JSON.stringify(outcome),
});
const TIMED_OUT = { status: 'retry', errorCode: 'TIMEOUT', ambiguous: true };

describe('countLookups (the ambiguous bench reading send_attempts)', () => {
  it('counts the attempts after an ambiguous one as looked up, by what the lookup found', () => {
    const counts = countLookups([
      // Timed out, then the lookup found it: reported sent, not resent.
      done('a', 1, TIMED_OUT),
      done('a', 2, { status: 'sent', detail: 'reconciled after an ambiguous send: queued' }),
      // Timed out, lookup found nothing: resent.
      done('b', 2, { status: 'sent', providerMessageId: 'SM2' }),
      done('b', 1, TIMED_OUT),
      // Worker died mid-call (left sending), the provider could not say, then found on the third attempt.
      { message_id: 'c', attempt: 1, state: 'sending', outcome: null },
      done('c', 2, { status: 'retry', errorCode: 'AMBIGUOUS_UNRESOLVED', ambiguous: true }),
      done('c', 3, { status: 'sent', detail: 'reconciled after an ambiguous send: delivered' }),
      // Clean: nothing looked up.
      done('d', 1, { status: 'sent' }),
      done('e', 1, { status: 'retry', errorCode: 'PROVIDER_ERROR' }),
      done('e', 2, { status: 'sent' }),
    ]);
    expect(counts).toEqual({ ambiguous: 3, lookedUp: 4, found: 2, notFoundResent: 1, unresolved: 1 });
  });

  it('reads an unparsable outcome as not ambiguous', () => {
    expect(
      countLookups([{ message_id: 'x', attempt: 1, state: 'done', outcome: '{' }, done('x', 2, { status: 'sent' })]),
    ).toEqual({ ambiguous: 0, lookedUp: 0, found: 0, notFoundResent: 0, unresolved: 0 });
  });
});
