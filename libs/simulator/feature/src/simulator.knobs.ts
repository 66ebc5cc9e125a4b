/** Providers whose API the simulator reproduces; knobs exist per provider. */
export const SIMULATED_PROVIDERS = ['twilio', 'vonage', 'sinch', 'aws', 'smpp'] as const;
export type SimulatedProvider = (typeof SIMULATED_PROVIDERS)[number];

export function isSimulatedProvider(value: string): value is SimulatedProvider {
  return (SIMULATED_PROVIDERS as readonly string[]).includes(value);
}

/** Fractions of submits (0..1, summing to at most 1) answered with each class of provider error. */
export interface ErrorRates {
  readonly transient: number;
  readonly permanent: number;
  readonly optedOut: number;
  readonly configuration: number;
}

/** Relative weights of the final delivery receipt for accepted messages. */
export interface DlrOutcomeWeights {
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
}

/** Fault-injection settings for one simulated provider, readable and settable at run time. */
export interface SimulatorKnobs {
  /** Added before every API answer (after the message is created, so a client giving up leaves it created). */
  readonly latencyMs: number;
  readonly errorRate: ErrorRates;
  /** Fraction of accepted messages whose 201 is withheld past any client timeout: the ambiguous submit. */
  readonly timeoutAfterAcceptRate: number;
  /** Delay before each status callback. */
  readonly dlrDelayMs: number;
  readonly dlrOutcomes: DlrOutcomeWeights;
  /** Fraction of messages whose final callback is posted twice. */
  readonly duplicateDlrRate: number;
  /** Fraction of messages whose final callback is posted before `sent`. */
  readonly outOfOrderDlrRate: number;
  /** Accepted requests per second (token bucket, burst of one second); null = unlimited. */
  readonly throttleRatePerSecond: number | null;
}

export const DEFAULT_KNOBS: SimulatorKnobs = {
  latencyMs: 0,
  errorRate: { transient: 0, permanent: 0, optedOut: 0, configuration: 0 },
  timeoutAfterAcceptRate: 0,
  dlrDelayMs: 200,
  dlrOutcomes: { delivered: 1, undelivered: 0, failed: 0 },
  duplicateDlrRate: 0,
  outOfOrderDlrRate: 0,
  throttleRatePerSecond: null,
};

/** Generous but finite, so a typo cannot park timers for days. */
const MAX_DELAY_MS = 600_000;

export type KnobsUpdate = { ok: true; knobs: SimulatorKnobs } | { ok: false; problems: string[] };

/**
 * Applies a partial update (fields left out keep their current value; nested objects merge too) and validates
 * the result. Unknown fields are rejected so a misspelt knob fails loudly instead of silently doing nothing.
 */
export function updateKnobs(current: SimulatorKnobs, input: unknown): KnobsUpdate {
  const problems: string[] = [];
  if (!isRecord(input)) {
    return { ok: false, problems: ['body must be a JSON object'] };
  }
  rejectUnknown(input, DEFAULT_KNOBS, '', problems);
  const errorRateInput = objectField(input, 'errorRate', problems);
  const outcomesInput = objectField(input, 'dlrOutcomes', problems);
  rejectUnknown(errorRateInput, DEFAULT_KNOBS.errorRate, 'errorRate.', problems);
  rejectUnknown(outcomesInput, DEFAULT_KNOBS.dlrOutcomes, 'dlrOutcomes.', problems);

  const fraction = (source: Record<string, unknown>, key: string, fallback: number, path = key): number =>
    numberField(source, key, fallback, path, 0, 1, problems);
  const delay = (key: string, fallback: number): number =>
    numberField(input, key, fallback, key, 0, MAX_DELAY_MS, problems, true);

  const errorRate: ErrorRates = {
    transient: fraction(errorRateInput, 'transient', current.errorRate.transient, 'errorRate.transient'),
    permanent: fraction(errorRateInput, 'permanent', current.errorRate.permanent, 'errorRate.permanent'),
    optedOut: fraction(errorRateInput, 'optedOut', current.errorRate.optedOut, 'errorRate.optedOut'),
    configuration: fraction(
      errorRateInput,
      'configuration',
      current.errorRate.configuration,
      'errorRate.configuration',
    ),
  };
  const errorTotal = errorRate.transient + errorRate.permanent + errorRate.optedOut + errorRate.configuration;
  if (errorTotal > 1 + 1e-9) {
    problems.push('errorRate fractions must sum to at most 1');
  }
  const weight = (key: keyof DlrOutcomeWeights): number =>
    numberField(
      outcomesInput,
      key,
      current.dlrOutcomes[key],
      `dlrOutcomes.${key}`,
      0,
      Number.MAX_SAFE_INTEGER,
      problems,
    );
  const dlrOutcomes: DlrOutcomeWeights = {
    delivered: weight('delivered'),
    undelivered: weight('undelivered'),
    failed: weight('failed'),
  };
  if (dlrOutcomes.delivered + dlrOutcomes.undelivered + dlrOutcomes.failed === 0) {
    problems.push('dlrOutcomes needs at least one positive weight');
  }
  const throttle = input['throttleRatePerSecond'];
  let throttleRatePerSecond = throttle === undefined ? current.throttleRatePerSecond : null;
  if (typeof throttle === 'number' && Number.isFinite(throttle) && throttle > 0 && throttle <= 1e6) {
    throttleRatePerSecond = throttle;
  } else if (throttle !== undefined && throttle !== null) {
    problems.push('throttleRatePerSecond must be a positive number up to 1000000, or null for unlimited');
  }

  const knobs: SimulatorKnobs = {
    latencyMs: delay('latencyMs', current.latencyMs),
    errorRate,
    timeoutAfterAcceptRate: fraction(input, 'timeoutAfterAcceptRate', current.timeoutAfterAcceptRate),
    dlrDelayMs: delay('dlrDelayMs', current.dlrDelayMs),
    dlrOutcomes,
    duplicateDlrRate: fraction(input, 'duplicateDlrRate', current.duplicateDlrRate),
    outOfOrderDlrRate: fraction(input, 'outOfOrderDlrRate', current.outOfOrderDlrRate),
    throttleRatePerSecond,
  };

  return problems.length === 0 ? { ok: true, knobs } : { ok: false, problems };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField(input: Record<string, unknown>, key: string, problems: string[]): Record<string, unknown> {
  const value = input[key];
  if (value === undefined) {
    return {};
  }
  if (!isRecord(value)) {
    problems.push(`${key} must be an object`);

    return {};
  }

  return value;
}

function rejectUnknown(input: Record<string, unknown>, known: object, path: string, problems: string[]): void {
  for (const key of Object.keys(input)) {
    if (!(key in known)) {
      problems.push(`${path}${key} is not a knob`);
    }
  }
}

function numberField(
  input: Record<string, unknown>,
  key: string,
  fallback: number,
  path: string,
  min: number,
  max: number,
  problems: string[],
  integer = false,
): number {
  const value = input[key];
  if (value === undefined) {
    return fallback;
  }
  const valid = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!valid || (integer && !Number.isInteger(value))) {
    problems.push(`${path} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`);

    return fallback;
  }

  return value;
}
