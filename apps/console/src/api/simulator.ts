/**
 * The embedded gateway's provider simulator (control routes under /sim, an admin key): not part of the public
 * API, so not in the typed client. Absent in the distributed mode, where the console hides its page.
 */
import { rawCall } from './client';

export const SIMULATED_PROVIDERS = ['twilio', 'vonage', 'sinch', 'aws', 'smpp'] as const;
export type SimulatedProvider = (typeof SIMULATED_PROVIDERS)[number];

export interface Knobs {
  latencyMs: number;
  errorRate: { transient: number; permanent: number; optedOut: number; configuration: number };
  timeoutAfterAcceptRate: number;
  dlrDelayMs: number;
  dlrOutcomes: { delivered: number; undelivered: number; failed: number };
  duplicateDlrRate: number;
  outOfOrderDlrRate: number;
  throttleRatePerSecond: number | null;
}

export const simulatorApi = (key: string) => ({
  knobs: () => rawCall<Record<SimulatedProvider, Knobs>>(key, 'GET', '/sim/knobs'),
  setKnobs: (provider: SimulatedProvider, knobs: Partial<Knobs>) =>
    rawCall<Knobs>(key, 'PUT', `/sim/knobs/${provider}`, knobs),
  inbound: (provider: SimulatedProvider, message: { from: string; to: string; body: string }) =>
    rawCall<unknown>(key, 'POST', `/sim/${provider}/inbound`, message),
});
