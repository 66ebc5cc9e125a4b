import { Encoding, MessageClass, type MessageAcceptedV1 } from '@sms/contracts';
import type { PhoneNumberEntity } from '../database/entities/phone-number.entity';
import { type RouteDecision, RouteDecider } from './route-decider';
import type { RateCandidate, RouteSnapshot } from './route-snapshot';

type NumberType = 'longcode' | 'shortcode' | 'tollfree' | 'alphanumeric';

const sender = (providerId: string, number: string, country: string, type: NumberType = 'longcode') =>
  ({ number, providerId, country, type, active: true, createdAt: new Date(0) }) as PhoneNumberEntity;

const rate = (providerId: string, price: string): RateCandidate => ({ providerId, price, currency: 'USD' });

/** A snapshot as loadRouteSnapshot builds it: rates cheapest first, numbers per provider. */
function snapshot(rates: Record<string, RateCandidate[]>, numbers: readonly PhoneNumberEntity[]): RouteSnapshot {
  const numbersByProvider = new Map<string, PhoneNumberEntity[]>();
  for (const number of numbers) {
    numbersByProvider.set(number.providerId, [...(numbersByProvider.get(number.providerId) ?? []), number]);
  }

  return { ratesByCountry: new Map(Object.entries(rates)), numbersByProvider, loadedAt: 0 };
}

const message = (overrides: Partial<MessageAcceptedV1> = {}): MessageAcceptedV1 => ({
  messageId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  attempt: 1,
  to: '+447400123456',
  from: null,
  country: 'GB',
  body: 'Hi',
  encoding: Encoding.Gsm7,
  segments: 1,
  messageClass: MessageClass.Transactional,
  validitySeconds: null,
  avoidProviders: [],
  pinProvider: null,
  acceptedAt: '2026-01-01T12:00:00.000Z',
  ...overrides,
});

const GB_VONAGE = sender('vonage', '+447400000001', 'GB');
const GB_TWILIO = sender('twilio', '+447400000002', 'GB');
const US_TWILIO = sender('twilio', '+14155550001', 'US');
const GB_RATES = { GB: [rate('vonage', '0.0300'), rate('twilio', '0.0400'), rate('sinch', '0.0500')] };
const EVERY_PROVIDER = snapshot(GB_RATES, [GB_VONAGE, GB_TWILIO, US_TWILIO, sender('sinch', '+447400000003', 'GB')]);

const routeOf = (decision: RouteDecision): Extract<RouteDecision, { kind: 'route' }> => {
  if (decision.kind !== 'route') {
    throw new Error(`expected a route, got ${decision.code}: ${decision.reason}`);
  }

  return decision;
};

describe(RouteDecider.name, () => {
  let sut: RouteDecider;
  beforeEach(() => {
    sut = new RouteDecider();
  });

  it('takes the cheapest provider and explains why the others lost', () => {
    expect(sut.decide(message(), EVERY_PROVIDER)).toEqual({
      kind: 'route',
      providerId: 'vonage',
      sender: GB_VONAGE.number,
      price: '0.0300',
      currency: 'USD',
      reason:
        'cheapest active provider for GB: vonage at 0.0300 USD/segment; sender local round-robin 1 of 1; ' +
        'others: twilio 0.0400, sinch 0.0500',
    });
  });

  it.each<[string, string[], string, RegExp]>([
    [
      'fails over past one failed provider',
      ['vonage'],
      'twilio',
      /^cheapest provider not failed before \(avoiding vonage\)/,
    ],
    ['fails over past two', ['vonage', 'twilio'], 'sinch', /\(avoiding vonage, twilio\)/],
    ['ignores a failed provider with no rate here', ['aws'], 'vonage', /\(avoiding aws\)/],
    [
      'falls back to the cheapest when every provider failed',
      ['vonage', 'twilio', 'sinch'],
      'vonage',
      /^every provider failed before; retrying the cheapest/,
    ],
  ])('%s', (_name, avoidProviders, providerId, reason) => {
    const decision = routeOf(sut.decide(message({ avoidProviders }), EVERY_PROVIDER));

    expect(decision.providerId).toBe(providerId);
    expect(decision.reason).toMatch(reason);
  });

  it('keeps a pinned provider although it is dearer and was failed before', () => {
    const decision = routeOf(
      sut.decide(message({ pinProvider: 'twilio', avoidProviders: ['twilio'] }), EVERY_PROVIDER),
    );

    expect(decision).toMatchObject({ providerId: 'twilio', sender: GB_TWILIO.number, price: '0.0400' });
    expect(decision.reason).toMatch(/^pinned to twilio after an ambiguous send/);
  });

  it('never moves a pinned message to another provider, even when the pinned one has no rate', () => {
    expect(sut.decide(message({ pinProvider: 'aws' }), EVERY_PROVIDER)).toMatchObject({
      kind: 'no-route',
      code: 'NO_ROUTE',
    });
  });

  it.each(['+447400999999', 'ACME'])("uses the caller's sender %s as is", (from) => {
    const decision = routeOf(sut.decide(message({ from }), EVERY_PROVIDER));

    expect(decision).toMatchObject({ providerId: 'vonage', sender: from });
    expect(decision.reason).toContain('sender requested by the caller');
  });

  it('prefers a number of the destination country over an international one', () => {
    const pool = snapshot({ GB: [rate('twilio', '0.04')] }, [US_TWILIO, GB_TWILIO]);
    for (let i = 0; i < 10; i++) {
      const decision = routeOf(sut.decide(message(), pool));
      expect(decision.sender).toBe(GB_TWILIO.number);
      expect(decision.reason).toContain('sender local round-robin 1 of 1');
    }
  });

  it('falls back to an international number when the provider has none in the country', () => {
    const decision = routeOf(sut.decide(message(), snapshot({ GB: [rate('twilio', '0.04')] }, [US_TWILIO])));

    expect(decision.sender).toBe(US_TWILIO.number);
    expect(decision.reason).toContain('sender international round-robin 1 of 1');
  });

  it('rotates exactly fairly: 1,000 decisions over 2 local numbers give 500 each, alternating', () => {
    const second = sender('twilio', '+447400000004', 'GB');
    const pool = snapshot({ GB: [rate('twilio', '0.04')] }, [GB_TWILIO, US_TWILIO, second]);
    const picked = Array.from({ length: 1_000 }, () => routeOf(sut.decide(message(), pool)).sender);
    const counts = new Map<string, number>();
    picked.forEach((number) => counts.set(number, (counts.get(number) ?? 0) + 1));

    expect(Object.fromEntries(counts)).toEqual({ [GB_TWILIO.number]: 500, [second.number]: 500 });
    expect(picked.every((number, i) => i === 0 || number !== picked[i - 1])).toBe(true);
  });

  it('keeps one rotation per provider and country', () => {
    const gb2 = sender('twilio', '+447400000004', 'GB');
    const fr1 = sender('twilio', '+33612000001', 'FR');
    const fr2 = sender('twilio', '+33612000002', 'FR');
    const pool = snapshot({ GB: [rate('twilio', '0.04')], FR: [rate('twilio', '0.05')] }, [GB_TWILIO, gb2, fr1, fr2]);
    const pick = (country: string): string => routeOf(sut.decide(message({ country }), pool)).sender;

    expect([pick('GB'), pick('FR'), pick('FR'), pick('GB'), pick('FR')]).toEqual([
      GB_TWILIO.number,
      fr1.number,
      fr2.number,
      gb2.number,
      fr1.number,
    ]);
  });

  it('never picks an alphanumeric sender by itself', () => {
    const alpha = sender('twilio', 'ACME', 'GB', 'alphanumeric');
    const withLongCode = snapshot({ GB: [rate('twilio', '0.04')] }, [alpha, US_TWILIO]);
    const alphaOnly = snapshot({ GB: [rate('twilio', '0.04')] }, [alpha]);

    for (let i = 0; i < 5; i++) {
      expect(routeOf(sut.decide(message(), withLongCode)).sender).toBe(US_TWILIO.number);
    }
    expect(sut.decide(message(), alphaOnly)).toEqual({
      kind: 'no-route',
      code: 'NO_SENDER',
      reason: 'twilio has no active sender number',
    });
  });

  it.each([
    ['no provider has a rate for the country', snapshot(GB_RATES, [GB_VONAGE]), message({ country: 'FR' })],
    ['no rate at all', snapshot({}, []), message()],
    ['the rate list is empty', snapshot({ GB: [] }, [GB_VONAGE]), message()],
  ])('answers NO_ROUTE when %s', (_name, routes, request) => {
    expect(sut.decide(request, routes)).toMatchObject({
      kind: 'no-route',
      code: 'NO_ROUTE',
      reason: `no active provider has a rate for ${request.country}`,
    });
  });

  it('answers NO_SENDER when the chosen provider has no number and the caller named none', () => {
    expect(sut.decide(message(), snapshot(GB_RATES, [GB_TWILIO]))).toMatchObject({
      kind: 'no-route',
      code: 'NO_SENDER',
      reason: 'vonage has no active sender number',
    });
  });
});
