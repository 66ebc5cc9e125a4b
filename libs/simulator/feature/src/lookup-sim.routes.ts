import type { FastifyBaseLogger, FastifyPluginCallback } from 'fastify';
import { PROVIDER_API_ROUTE } from './sim-access';
import { DEFAULT_LOOKUP_KNOBS, type LookupSimKnobs, type SimNetwork, updateLookupKnobs } from './lookup-sim.knobs';
import type { SimulatorState } from './simulator.state';

export interface LookupSimOptions {
  readonly state: SimulatorState;
  readonly log: FastifyBaseLogger;
  readonly accountSid: string;
  readonly authToken: string;
}

/**
 * Twilio Lookup v2 (Line Type Intelligence), mounted under `{prefix}/twilio-lookups` (point the lookup adapter's
 * base URL there): `GET /v2/PhoneNumbers/:number` answers from the porting table (knobs), and counts every
 * request so tests can tell a cached lookup from a new one. Control routes: `GET|PUT /knobs`, `GET /requests`.
 */
export const lookupSimRoutes: FastifyPluginCallback<LookupSimOptions> = (app, options, done) => {
  const { state, log } = options;
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  let knobs: LookupSimKnobs = DEFAULT_LOOKUP_KNOBS;
  let total = 0;
  const byNumber = new Map<string, number>();
  state.onReset(() => {
    knobs = DEFAULT_LOOKUP_KNOBS;
    total = 0;
    byNumber.clear();
  });

  app.get<{ Params: { number: string }; Querystring: { Fields?: string } }>(
    '/v2/PhoneNumbers/:number',
    { config: PROVIDER_API_ROUTE },
    async (request, reply) => {
      if (request.headers.authorization !== expectedAuth) {
        return reply.code(401).send({ code: 20003, message: 'Authenticate', more_info: '', status: 401 });
      }
      const number = request.params.number;
      total += 1;
      byNumber.set(number, (byNumber.get(number) ?? 0) + 1);
      if (knobs.latencyMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, knobs.latencyMs).unref());
      }
      if (knobs.failureRate > 0 && state.rng() < knobs.failureRate) {
        return reply.code(503).send({ code: 20500, message: 'Internal Server Error', more_info: '', status: 503 });
      }
      if (knobs.unknownNumbers.includes(number) || !/^\+[1-9]\d{6,14}$/.test(number)) {
        return reply
          .code(404)
          .send({ code: 20404, message: `The requested resource was not found`, more_info: '', status: 404 });
      }
      const wantsLineType = (request.query.Fields ?? '').split(',').includes('line_type_intelligence');
      const network = knobs.ported[number] ?? homeNetwork(knobs, number);

      return {
        calling_country_code: null,
        country_code: null,
        phone_number: number,
        national_format: null,
        valid: true,
        validation_errors: [],
        caller_name: null,
        sim_swap: null,
        call_forwarding: null,
        line_type_intelligence: wantsLineType
          ? {
              carrier_name: network?.carrierName ?? null,
              error_code: null,
              mobile_country_code: network?.mcc ?? null,
              mobile_network_code: network?.mnc ?? null,
              type: 'mobile',
            }
          : null,
        url: `https://lookups.twilio.com/v2/PhoneNumbers/${encodeURIComponent(number)}`,
      };
    },
  );

  app.get('/knobs', () => knobs);

  app.put<{ Body: unknown }>('/knobs', (request, reply) => {
    const update = updateLookupKnobs(knobs, request.body);
    if (!update.ok) {
      return reply.code(400).send({ error: 'invalid knobs', problems: update.problems });
    }
    knobs = update.knobs;
    // Counts only: the porting table holds numbers, which stay out of the log.
    log.info({ ported: Object.keys(knobs.ported).length, latencyMs: knobs.latencyMs }, 'lookup knobs updated');

    return knobs;
  });

  /** How many lookups were asked, in all and per number. */
  app.get('/requests', () => ({ total, byNumber: Object.fromEntries(byNumber) }));

  done();
};

function homeNetwork(knobs: LookupSimKnobs, number: string): SimNetwork | undefined {
  const digits = number.slice(1);
  let best: string | undefined;
  for (const prefix of Object.keys(knobs.homeNetworks)) {
    if (digits.startsWith(prefix) && (best === undefined || prefix.length > best.length)) {
      best = prefix;
    }
  }

  return best === undefined ? undefined : knobs.homeNetworks[best];
}
