import type { RouteQuoter } from '@sms/contracts';
import { MaskDirectory } from '@sms/mask-directory';
import { OptOutReplica } from '@sms/opt-out-registry';
import { ApiError } from '@sms/platform';
import type { DataSource } from 'typeorm';
import type { IdempotencyService } from '../idempotency/idempotency.service';
import type { LedgerWriter } from '../ledger/ledger.writer';
import { MessagesService } from './messages.service';
import { QuoteService } from './quote.service';

const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';
const OTHER = '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d';
const TO = '+447400123456';

/** A quote reads no ledger: the ledger's collaborators are absent on purpose, and would throw if touched. */
function quoteService(quoter: RouteQuoter | null, optOuts = new OptOutReplica()): QuoteService {
  const messages = new MessagesService(
    {} as DataSource,
    {} as LedgerWriter,
    {} as IdempotencyService,
    optOuts,
    new MaskDirectory(),
  );

  return new QuoteService(messages, optOuts, () => quoter);
}

const routeAt = (price: string): RouteQuoter => ({
  quote: async () => ({
    decision: 'route',
    chosen: { provider: 'twilio', sender: '+447400900100', price, currency: 'USD' },
    code: null,
    reason: 'cheapest',
  }),
});

describe(QuoteService.name, () => {
  it('prices every segment of the body as it would be sent', async () => {
    const quote = await quoteService(routeAt('0.0425')).quote({ to: TO, body: 'x'.repeat(400) }, ACME, 'key');

    expect(quote).toMatchObject({
      country: 'GB',
      numberType: 'mobile',
      encoding: 'GSM-7',
      segments: 3,
      optedOut: false,
      total: '0.1275',
      currency: 'USD',
    });
  });

  it.each<[string, RouteQuoter | null]>([
    ['no router to ask', null],
    [
      'a router that fails',
      {
        quote: async () => {
          throw new Error('connect ECONNREFUSED');
        },
      },
    ],
  ])('says the route is unavailable with %s, and still answers the rest', async (_name, quoter) => {
    const quote = await quoteService(quoter).quote({ to: TO, body: 'hi' }, ACME, 'key');

    expect(quote).toMatchObject({
      segments: 1,
      route: { decision: 'unavailable', chosen: null, code: 'ROUTER_UNAVAILABLE' },
      total: null,
      currency: null,
    });
  });

  it("reports an opt-out of the caller's account only", async () => {
    const optOuts = new OptOutReplica();
    optOuts.apply({ number: TO, sender: null, optedOut: true, accountId: ACME });
    const sut = quoteService(routeAt('0.04'), optOuts);

    expect((await sut.quote({ to: TO, body: 'hi' }, ACME, 'key')).optedOut).toBe(true);
    expect((await sut.quote({ to: TO, body: 'hi' }, OTHER, 'key')).optedOut).toBe(false);
  });

  it('refuses what a send would refuse, with the same code', async () => {
    await expect(quoteService(routeAt('0.04')).quote({ to: TO, body: '' }, ACME, 'key')).rejects.toMatchObject({
      status: 422,
      code: 'BODY_EMPTY',
    });
    await expect(quoteService(null).quote({ to: TO }, ACME, 'key')).rejects.toBeInstanceOf(ApiError);
  });
});
