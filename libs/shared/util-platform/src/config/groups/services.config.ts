import type { SettingsReader } from '@sms/config-kit';

/**
 * `config.services`: the other services this process talks to in the distributed mode, and the secret of their
 * internal reads. Each URL empty means that service is not reached (its paths are not forwarded).
 */
export interface ServicesGroup {
  /**
   * The router's base URL: intake asks it for the route of a quote (`POST /v1/messages/quote`) and forwards the
   * router's public paths to it. Empty: a quote says the route is unavailable unless a router runs in the process.
   */
  readonly routerUrl: string;
  /**
   * Base URLs of the services whose public paths intake forwards, so a browser (the web console) talks to one
   * origin (docs/api.md "One origin in the distributed mode"): opt-out (`/v1/opt-outs`), masking (`/v1/masks`),
   * dlr-ingest (`/v1/admin/webhooks`), dlr-processor (`/v1/admin/receipts`).
   */
  readonly optOutUrl: string;
  readonly maskingUrl: string;
  readonly dlrIngestUrl: string;
  readonly dlrProcessorUrl: string;
  /** How long intake waits for a service it forwards a request to before answering 502 UPSTREAM_UNAVAILABLE. */
  readonly forwardTimeoutMs: number;
  /**
   * The shared secret of the services' internal reads (`/internal/v1/...`: a message timeline's raw receipts and
   * caller callbacks; the embedded regions' peer sync). Empty: those routes answer 404.
   */
  readonly internalApiToken: string;
}

/** The shortest internal token: it is the only thing between the network and the internal reads. */
const MIN_INTERNAL_TOKEN_LENGTH = 32;

export function readServicesGroup(read: SettingsReader): ServicesGroup {
  const internalApiToken = read.secret('INTERNAL_API_TOKEN', { default: '' });
  read.require(
    internalApiToken === '' || internalApiToken.length >= MIN_INTERNAL_TOKEN_LENGTH,
    'INTERNAL_API_TOKEN',
    `must be at least ${MIN_INTERNAL_TOKEN_LENGTH} characters`,
  );

  return {
    routerUrl: read.url('ROUTER_URL', { default: '' }),
    optOutUrl: read.url('OPT_OUT_URL', { default: '' }),
    maskingUrl: read.url('MASKING_URL', { default: '' }),
    dlrIngestUrl: read.url('DLR_INGEST_URL', { default: '' }),
    dlrProcessorUrl: read.url('DLR_PROCESSOR_URL', { default: '' }),
    forwardTimeoutMs: read.int('FORWARD_TIMEOUT_MS', { default: 10_000, min: 100, max: 120_000, unit: 'ms' }),
    internalApiToken,
  };
}
