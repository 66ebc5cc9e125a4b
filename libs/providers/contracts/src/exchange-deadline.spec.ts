import { withDeadline } from './exchange-deadline';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withDeadline', () => {
  it('aborts the signal with a TimeoutError once the deadline passes', async () => {
    const reason = await withDeadline(
      20,
      (signal) =>
        new Promise<unknown>((resolve) => {
          signal.addEventListener('abort', () => resolve(signal.reason));
        }),
    );

    expect(reason).toBeInstanceOf(DOMException);
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it('clears the deadline when the exchange ends first: the signal never aborts afterwards', async () => {
    let seen: AbortSignal | undefined;
    const result = await withDeadline(30, async (signal) => {
      seen = signal;

      return 'answered';
    });
    await sleep(60);

    expect(result).toBe('answered');
    expect(seen?.aborted).toBe(false);
  });

  it('passes the exchange failure through and clears the deadline', async () => {
    let seen: AbortSignal | undefined;
    await expect(
      withDeadline(30, async (signal) => {
        seen = signal;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await sleep(60);

    expect(seen?.aborted).toBe(false);
  });
});
