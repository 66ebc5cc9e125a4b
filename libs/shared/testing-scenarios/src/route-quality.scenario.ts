/**
 * Routing by measured route quality, driven through the simulator's knobs (issue #23), for the embedded
 * gateway and the distributed services alike: weights that favour delivery, one provider's receipts for GB
 * withheld (the simulator's `dlrDelayMs`), so reconciliation finds them overdue and that route's measured
 * delivery rate falls, traffic moving to the other provider, then back once the knob is cleared and the
 * route's probes deliver again. Explain shows the delivery factor fall and rise.
 *
 * Receipts that never come, rather than failed ones, keep the 5-minute provider health out of it (it counts
 * receipts, not reconciliations): the move is the quality score's alone.
 */
import type { GatewayClient, MessageBody } from '@sms/testing';

/**
 * The settings both modes run the scenario with. Short buckets and a 2 s receipt deadline let a degraded
 * route show within seconds; a half-minute window with no roll-up history lets its overdue outcomes age out
 * within half a minute of its receipts coming back (with the hour's window, a recovery waits on how many
 * probes outweigh them, which a loaded machine sends slowly; the recovery waits on the window, so a longer one
 * only makes the suite slower). The window still holds every outcome of a phase: the healthy phase's ten
 * messages and the moved phase's overdue ones end within seconds of each other. The suite sends to
 * neighbouring numbers on purpose: the pumping guard is set out of its way.
 */
export const ROUTE_QUALITY_SETTINGS = {
  ROUTE_QUALITY_BUCKET_SECONDS: '1',
  ROUTE_QUALITY_WINDOW_SECONDS: '30',
  ROUTE_QUALITY_HISTORY_DAYS: '0',
  RECONCILE_AFTER_SECONDS: '2',
  PUMPING_SEQUENTIAL_RECIPIENTS: '100000',
} as const;

export interface RouteQualityContext {
  /** The operator API (providers, routes, weights, explain) and the messages API, with an admin key. */
  readonly api: GatewayClient;
  /** Sets simulator knobs of one provider. */
  knobs(provider: string, update: Record<string, unknown>): Promise<void>;
}

/** The two GB routes compared: Twilio (seeded at 0.0400) and Sinch, made dearer here. */
export const CHEAP = 'twilio';
export const DEAR = 'sinch';
// Below the pumping guard's high-cost price (0.10), which would stop a suite of many GB recipients.
const DEAR_PRICE = '0.0900';
/** Delivery counts twice as much as price: a cheap route must deliver to keep its traffic. */
export const QUALITY_WEIGHTS = { cost: 1, delivery: 2, latency: 0, errors: 0 } as const;
/** A receipt due long after the reconciliation deadline the suites set (2 s): only reconciliation ends it. */
const NEVER_MS = 300_000;
const FAST_MS = 20;
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'unknown', 'expired', 'cancelled']);

interface Candidate {
  providerId: string;
  outcome: string;
  quality?: { deliveryRate: number; overdue: number; outcomes: number };
  factors?: { factor: string; raw: number; normalised: number; weight: number; contribution: number }[];
}
export interface Explained {
  chosen: string | null;
  cheap: Candidate;
  dear: Candidate;
}

export function routeQualityScenario(ctx: RouteQualityContext) {
  const { api } = ctx;
  let seq = 0;

  /** One message to a GB mobile this suite alone uses (a known recipient would keep its provider). */
  async function send(): Promise<string> {
    const answer = await api.post('/v1/messages', {
      to: `+4474009${String(10_000 + seq++).padStart(5, '0')}`,
      body: 'route quality',
    });
    expect([answer.status, answer.status === 202 ? null : answer.body]).toEqual([202, null]);

    return answer.body['id'];
  }

  const ended = (id: string): Promise<MessageBody> => api.waitForMessage(id, (m) => FINAL.has(m.status), 90_000);

  async function explain(): Promise<Explained> {
    const answer = await api.rawGet<{ chosen?: { provider: string }; candidates: Candidate[] }>(
      '/v1/routes/explain?to=%2B447400123456&messageClass=transactional',
    );
    expect(answer.status).toBe(200);
    const of = (provider: string): Candidate => answer.body.candidates.find((c) => c.providerId === provider)!;

    return { chosen: answer.body.chosen?.provider ?? null, cheap: of(CHEAP), dear: of(DEAR) };
  }

  const factor = (candidate: Candidate, name: string) => candidate.factors?.find((f) => f.factor === name);

  /** Sends `n` messages at once and waits for each to end; answers the provider of each. */
  async function batch(n: number): Promise<MessageBody[]> {
    const ids = await Promise.all(Array.from({ length: n }, () => send()));

    return Promise.all(ids.map(ended));
  }

  /** Sends batches until `done` holds of explain (quality refreshes once per bucket and snapshot); answers it. */
  async function until(
    label: string,
    size: number,
    done: (e: Explained) => boolean,
    budgetMs: number,
  ): Promise<{ explained: Explained; messages: MessageBody[] }> {
    const messages: MessageBody[] = [];
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const explained = await explain();
      if (done(explained)) {
        return { explained, messages };
      }
      if (Date.now() > deadline) {
        throw new Error(`${label}: not reached in ${budgetMs} ms; last explain ${JSON.stringify(explained)}`);
      }
      messages.push(...(await batch(size)));
    }
  }

  return {
    /** The pool reduced to the two GB routes compared, Sinch's price raised, the weights set; fast receipts. */
    async setUp(): Promise<void> {
      for (const other of ['vonage', 'smpp', 'aws']) {
        expect((await api.delete(`/v1/providers/${other}` as '/v1/providers/{id}')).status).toBe(200);
      }
      const routes = await api.rawGet<{ rates: { id: string; provider: string; country: string; prefix: string }[] }>(
        '/v1/routes',
      );
      const dear = routes.body.rates.find((r) => r.provider === DEAR && r.country === 'GB' && !r.prefix)!;
      const priced = await api.patch(`/v1/routes/${dear.id}` as '/v1/routes/{id}', { price: DEAR_PRICE });
      expect(priced.status).toBe(200);
      const weights = await api.raw('PUT', '/v1/routes/weights/GB', JSON.stringify(QUALITY_WEIGHTS), JSON_HEADERS);
      expect(weights.status).toBe(200);
      for (const provider of [CHEAP, DEAR]) {
        await ctx.knobs(provider, { dlrDelayMs: FAST_MS });
      }
    },

    async run(): Promise<void> {
      // Healthy: the cheaper route delivers and carries the traffic.
      const healthy = await batch(10);
      expect(healthy.map((m) => [m.status, m.provider])).toEqual(healthy.map(() => ['delivered', CHEAP]));
      const before = await until('healthy quality measured', 2, (e) => (e.cheap.quality?.outcomes ?? 0) >= 10, 30_000);
      expect(before.explained.chosen).toBe(CHEAP);
      expect(factor(before.explained.cheap, 'delivery')).toMatchObject({ weight: 2 });
      const healthyRate = factor(before.explained.cheap, 'delivery')!.raw;
      expect(healthyRate).toBeGreaterThan(0.9);

      // The cheap route's receipts stop: reconciliation ends its messages `unknown`, counted overdue.
      await ctx.knobs(CHEAP, { dlrDelayMs: NEVER_MS });
      const degraded = await until('traffic moved away', 3, (e) => e.chosen === DEAR, 180_000);
      expect(degraded.messages.some((m) => m.status === 'unknown' && m.provider === CHEAP)).toBe(true);
      const worse = degraded.explained.cheap;
      expect(worse.quality!.overdue).toBeGreaterThan(0);
      expect(factor(worse, 'delivery')!.raw).toBeLessThan(healthyRate - 0.2);
      expect(factor(worse, 'delivery')!.contribution).toBeGreaterThan(
        factor(before.explained.cheap, 'delivery')!.contribution,
      );
      // Now the dearer route carries it (a probe per interval may still go to the cheap one).
      const moved = await batch(6);
      expect(moved.filter((m) => m.provider === DEAR).length).toBeGreaterThanOrEqual(4);
      expect(moved.filter((m) => m.provider === DEAR).every((m) => m.status === 'delivered')).toBe(true);

      // Cleared: the cheap route's probes deliver again, its overdue outcomes leave the window, its rate climbs
      // back, and it wins the traffic back.
      await ctx.knobs(CHEAP, { dlrDelayMs: FAST_MS });
      await until('traffic moved back', 2, (e) => e.chosen === CHEAP, 240_000);
      const back = await batch(4);
      expect(back.map((m) => [m.status, m.provider])).toEqual(back.map(() => ['delivered', CHEAP]));
      // Its measured rate climbs as its messages deliver again (explain can name it before the rate has moved:
      // the dearer route's own score moves too).
      const worseRate = factor(worse, 'delivery')!.raw;
      await until("the cheap route's rate climbs", 2, (e) => factor(e.cheap, 'delivery')!.raw > worseRate, 120_000);
    },
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' };
