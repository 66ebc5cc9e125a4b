/**
 * What the HTTP provider adapters' specs share: canned responses for the `fetch` they are given, the one
 * call they made, and the error a send rejected with.
 */

/** `[url, init]` as an adapter passes them to its injected fetch. */
export type FetchCall = [input: string, init: RequestInit];

/** A JSON answer, as a provider's API would send it. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** The single call made through `fetch`; throws when there were none or several. */
export function onlyFetchCall(fetch: jest.Mock): FetchCall {
  const calls = fetch.mock.calls as FetchCall[];
  if (calls.length !== 1) {
    throw new Error(`expected exactly one fetch call, got ${calls.length}`);
  }

  return calls[0]!;
}

/** The request body of the single call: the adapters always send a string. */
export function onlyFetchBody(fetch: jest.Mock): string {
  return onlyFetchCall(fetch)[1].body as string;
}

/** What `promise` rejected with, checked to be an `expected`; throws when it resolved or threw anything else. */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  expected: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) {
    throw new Error(`expected a rejection with ${expected.name}, but it resolved`);
  }
  if (!(outcome.error instanceof expected)) {
    throw new Error(`expected ${expected.name}, got ${String(outcome.error)}`);
  }

  return outcome.error;
}
