import { HttpRouteQuoter } from './http-route-quoter';

const REQUEST = { to: '+447400123456', country: 'GB', from: null, segments: 24, messageClass: 'transactional' };

/** A stand-in for the router's HTTP answer: the quoter's parsing and request shape are what is tested. */
function answering(status: number, body: unknown): { fetchFn: typeof fetch; calls: [string, RequestInit][] } {
  const calls: [string, RequestInit][] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push([url, init]);

    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;

  return { fetchFn, calls };
}

describe(HttpRouteQuoter.name, () => {
  it("asks the router's explain with the caller's key, segments capped at its 10", async () => {
    const { fetchFn, calls } = answering(200, {
      decision: 'route',
      chosen: { provider: 'twilio', sender: '+447400900100', price: '0.04', currency: 'USD', delayMs: 0 },
      code: null,
      reason: 'cheapest',
    });

    const quote = await new HttpRouteQuoter('http://router:3002/', fetchFn).quote(REQUEST, 'smsgw_key');

    expect(quote).toEqual({
      decision: 'route',
      chosen: { provider: 'twilio', sender: '+447400900100', price: '0.04', currency: 'USD' },
      code: null,
      reason: 'cheapest',
    });
    const [url, init] = calls[0] ?? ['', {}];
    expect(url).toBe('http://router:3002/v1/routes/explain?to=%2B447400123456&messageClass=transactional&segments=10');
    expect(init.headers).toMatchObject({ authorization: 'Bearer smsgw_key' });
  });

  it('passes a no-route decision on with its code', async () => {
    const { fetchFn } = answering(200, { decision: 'no-route', chosen: null, code: 'NO_ROUTE', reason: 'none' });

    expect(await new HttpRouteQuoter('http://router', fetchFn).quote(REQUEST, 'k')).toEqual({
      decision: 'no-route',
      chosen: null,
      code: 'NO_ROUTE',
      reason: 'none',
    });
  });

  it('passes on the rule the router applied when well formed, and drops a malformed one', async () => {
    const refused = { decision: 'refused', chosen: null, code: 'COUNTRY_NOT_ALLOWED', reason: 'blocked' };
    const { fetchFn } = answering(200, { ...refused, rule: { level: 'network', network: '234-30' } });
    const { fetchFn: malformed } = answering(200, { ...refused, rule: { level: 'region', network: 7 } });

    expect(await new HttpRouteQuoter('http://router', fetchFn).quote(REQUEST, 'k')).toEqual({
      ...refused,
      rule: { level: 'network', network: '234-30' },
    });
    expect(await new HttpRouteQuoter('http://router', malformed).quote(REQUEST, 'k')).toEqual(refused);
  });

  it.each<[string, number, unknown]>([
    ['a refusal of the key', 403, { error: { code: 'FORBIDDEN' } }],
    ['a server error', 500, {}],
    ['an unexpected body', 200, { decision: 'route', chosen: { provider: 1 } }],
  ])('throws on %s (the quote then says the route is unavailable)', async (_name, status, body) => {
    const { fetchFn } = answering(status, body);

    await expect(new HttpRouteQuoter('http://router', fetchFn).quote(REQUEST, 'k')).rejects.toThrow();
  });
});
