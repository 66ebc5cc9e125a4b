import type { FastifyBaseLogger } from 'fastify';
import type { SimScheduler } from './simulator.scheduler';

/** One HTTP attempt at a webhook, as shown by the sim's inspection endpoints. */
export interface CallbackAttempt {
  readonly attempt: number;
  readonly at: string;
  readonly httpStatus?: number;
  readonly error?: string;
}

export interface WebhookPost {
  readonly url: string;
  /** POST unless told; a GET carries its params in `url` and sends no body (Vonage's GET webhook format). */
  readonly method?: 'GET' | 'POST';
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** For logs and the inspection endpoint, e.g. `sent` or `inbound`. */
  readonly label: string;
}

export interface CallbackSettings {
  readonly scheduler: SimScheduler;
  readonly log: FastifyBaseLogger;
  readonly timeoutMs: number;
  /** The wait before the first retry; each later one waits twice the one before. */
  readonly retryDelayMs: number;
  /** Whether `url` is one of the gateway's webhook URLs; anything else is never requested (sim-access.ts). */
  readonly allowTarget: (url: string) => boolean;
  /** Retries after the first attempt (default {@link DEFAULT_RETRIES}). */
  readonly retries?: number;
}

/**
 * Receipts are retried the way the providers that retry do it (Sinch: 5 s, doubling, for ~23 h; Vonage:
 * 5 s doubling up to 15 min, for 24 h; SNS: 3 retries 20 s apart by default), on a shorter clock: a 5xx,
 * a 429, a timeout or a refused connection is retried with doubling delays, any other answer is final.
 * Five retries from 1 s span ~31 s, which covers a receiver's rolling restart.
 */
export const DEFAULT_RETRIES = 5;

/** The recorded attempt of a post the target policy stopped. */
export const TARGET_REFUSED = 'target refused: not one of the gateway webhook URLs';

const retryable = (httpStatus: number): boolean => httpStatus >= 500 || httpStatus === 429;

/** Posts a webhook with a bounded timeout and backoff retries. Never throws: failures are recorded. */
export async function postWebhook(post: WebhookPost, settings: CallbackSettings): Promise<CallbackAttempt[]> {
  const { scheduler, log } = settings;
  const attempts: CallbackAttempt[] = [];
  const epoch = scheduler.epoch;
  if (!settings.allowTarget(post.url)) {
    log.warn({ label: post.label }, 'simulator webhook not sent: the target is not a gateway webhook URL');

    return [{ attempt: 1, at: new Date().toISOString(), error: TARGET_REFUSED }];
  }
  const maxAttempts = 1 + (settings.retries ?? DEFAULT_RETRIES);
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const at = new Date().toISOString();
    let failed: boolean;
    try {
      const httpStatus = await scheduler.withSignal(settings.timeoutMs, (signal) => {
        const method = post.method ?? 'POST';

        return scheduler.http.send(post.url, method, post.headers, method === 'GET' ? null : post.body, signal);
      });
      attempts.push({ attempt, at, httpStatus });
      log.debug({ url: post.url, label: post.label, httpStatus, attempt }, 'simulator webhook posted');
      failed = retryable(httpStatus);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      attempts.push({ attempt, at, error: message });
      log.warn({ url: post.url, label: post.label, error: message, attempt }, 'simulator webhook failed');
      failed = true;
    }
    if (!failed || attempt === maxAttempts || scheduler.epoch !== epoch) {
      break; // delivered, refused for good, out of retries, or reset/closed meanwhile
    }
    await scheduler.hold(settings.retryDelayMs * 2 ** (attempt - 1));
    if (scheduler.epoch !== epoch) {
      break; // reset or closed while waiting to retry
    }
  }

  return attempts;
}
