/** A network the simulated Lookup names for a number. */
export interface SimNetwork {
  readonly mcc: string;
  readonly mnc: string;
  readonly carrierName: string;
}

/**
 * The simulated Twilio Lookup v2's behaviour. `ported` moves a number to another network (its prefix no
 * longer tells); `homeNetworks` is what an unported number answers by its longest matching E.164 prefix
 * (digits, no +); a number matching neither is a mobile line the source cannot place (null MCC/MNC).
 */
export interface LookupSimKnobs {
  readonly ported: Readonly<Record<string, SimNetwork>>;
  readonly homeNetworks: Readonly<Record<string, SimNetwork>>;
  /** Numbers the source does not know: a 404. */
  readonly unknownNumbers: readonly string[];
  /** Added to every answer. */
  readonly latencyMs: number;
  /** Share of requests answered 503 (0..1). */
  readonly failureRate: number;
}

export const DEFAULT_LOOKUP_KNOBS: LookupSimKnobs = {
  ported: {},
  homeNetworks: {},
  unknownNumbers: [],
  latencyMs: 0,
  failureRate: 0,
};

const E164 = /^\+[1-9]\d{6,14}$/;
const PREFIX = /^\d{1,15}$/;

/** Merges a partial update into the knobs, or lists every problem with it. */
export function updateLookupKnobs(
  current: LookupSimKnobs,
  input: unknown,
): { ok: true; knobs: LookupSimKnobs } | { ok: false; problems: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: ['body must be a JSON object'] };
  }
  const body = input as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['ported', 'homeNetworks', 'unknownNumbers', 'latencyMs', 'failureRate'];
  for (const key of Object.keys(body).filter((k) => !known.includes(k))) {
    problems.push(`unknown knob '${key.slice(0, 64)}'`);
  }
  const ported = body['ported'] === undefined ? current.ported : networkTable(body['ported'], E164, 'ported', problems);
  const homeNetworks =
    body['homeNetworks'] === undefined
      ? current.homeNetworks
      : networkTable(body['homeNetworks'], PREFIX, 'homeNetworks', problems);
  const unknownNumbers = body['unknownNumbers'] ?? current.unknownNumbers;
  if (!Array.isArray(unknownNumbers) || !unknownNumbers.every((n) => typeof n === 'string' && E164.test(n))) {
    problems.push('unknownNumbers must be a list of E.164 numbers');
  }
  const latencyMs = body['latencyMs'] ?? current.latencyMs;
  if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
    problems.push('latencyMs must be an integer from 0 to 60000');
  }
  const failureRate = body['failureRate'] ?? current.failureRate;
  if (typeof failureRate !== 'number' || !(failureRate >= 0 && failureRate <= 1)) {
    problems.push('failureRate must be a number from 0 to 1');
  }
  if (problems.length > 0) {
    return { ok: false, problems };
  }

  return {
    ok: true,
    knobs: {
      ported: ported!,
      homeNetworks: homeNetworks!,
      unknownNumbers: unknownNumbers as string[],
      latencyMs: latencyMs as number,
      failureRate: failureRate as number,
    },
  };
}

function networkTable(
  value: unknown,
  key: RegExp,
  name: string,
  problems: string[],
): Record<string, SimNetwork> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${name} must be an object`);

    return undefined;
  }
  const table: Record<string, SimNetwork> = {};
  for (const [entry, network] of Object.entries(value as Record<string, unknown>)) {
    const n = network as Partial<SimNetwork> | null;
    if (
      !key.test(entry) ||
      typeof n !== 'object' ||
      n === null ||
      typeof n.mcc !== 'string' ||
      !/^\d{3}$/.test(n.mcc) ||
      typeof n.mnc !== 'string' ||
      !/^\d{2,3}$/.test(n.mnc)
    ) {
      problems.push(
        `${name}: each entry must map ${key === E164 ? 'an E.164 number' : 'digits'} to { mcc, mnc, carrierName? }`,
      );

      return undefined;
    }
    table[entry] = {
      mcc: n.mcc,
      mnc: n.mnc,
      carrierName: typeof n.carrierName === 'string' ? n.carrierName : 'Simulated network',
    };
  }

  return table;
}
