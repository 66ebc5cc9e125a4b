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
  /** Like Twilio's default: one more try after a 5xx, nothing after a 4xx or a network error. */
  readonly retryDelayMs: number;
  /** Whether `url` is one of the gateway's webhook URLs; anything else is never requested (sim-access.ts). */
  readonly allowTarget: (url: string) => boolean;
}

/** The recorded attempt of a post the target policy stopped. */
export const TARGET_REFUSED = 'target refused: not one of the gateway webhook URLs';

const MAX_ATTEMPTS = 2;

/** Posts a webhook with a bounded timeout and at most one retry. Never throws: failures are recorded. */
export async function postWebhook(post: WebhookPost, settings: CallbackSettings): Promise<CallbackAttempt[]> {
  const { scheduler, log } = settings;
  const attempts: CallbackAttempt[] = [];
  const epoch = scheduler.epoch;
  if (!settings.allowTarget(post.url)) {
    log.warn({ label: post.label }, 'simulator webhook not sent: the target is not a gateway webhook URL');

    return [{ attempt: 1, at: new Date().toISOString(), error: TARGET_REFUSED }];
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const at = new Date().toISOString();
    let httpStatus: number;
    try {
      httpStatus = await scheduler.withSignal(settings.timeoutMs, async (signal) => {
        const method = post.method ?? 'POST';
        const body = method === 'GET' ? null : post.body;
        const response = await fetch(post.url, { method, headers: post.headers, body, signal });
        await response.arrayBuffer().catch(() => undefined);

        return response.status;
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      attempts.push({ attempt, at, error: message });
      log.warn({ url: post.url, label: post.label, error: message, attempt }, 'simulator webhook failed');
      break;
    }
    attempts.push({ attempt, at, httpStatus });
    log.debug({ url: post.url, label: post.label, httpStatus, attempt }, 'simulator webhook posted');
    if (httpStatus < 500 || attempt === MAX_ATTEMPTS) {
      break;
    }
    await scheduler.hold(settings.retryDelayMs);
    if (scheduler.epoch !== epoch) {
      break; // reset or closed while waiting to retry
    }
  }

  return attempts;
}
