import { Logger } from '@nestjs/common';
import { type Bus, ensureTopicsIfKafka, type TopicSpec } from '@sms/bus';
import type { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import type { ReadinessRegistry } from './readiness.registry';

export interface StartWhenTopicsExistOptions {
  /** The readiness check's name (listed under `degraded` until the start is done) and the log context. */
  readonly name: string;
  readonly bus: Bus;
  readonly topics: readonly TopicSpec[];
  readonly readiness: ReadinessRegistry;
  readonly shutdown: ShutdownRegistry;
  /** First wait after a failed attempt; doubled up to `maxDelayMs`. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** How a background start is going: `done` resolves once the topics exist and `start` has run. */
export interface BackgroundStart {
  readonly done: Promise<void>;
  isStarted(): boolean;
}

/**
 * Creates `topics` (when the bus is Kafka), then runs `start` (republish a ledger, subscribe), without holding
 * up the process: a service hosting a compacted-topic replica must serve HTTP while the broker is away, so the
 * attempt is retried in the background with capped exponential backoff until it succeeds or shutdown begins.
 * Until then readiness lists `name` as degraded, not failed: what the HTTP traffic needs does not depend on it
 * (docs/reliability.md). The in-process bus has no broker to wait for, so there `start` runs inline and the
 * caller's bootstrap keeps its order.
 */
export async function startWhenTopicsExist(
  options: StartWhenTopicsExistOptions,
  start: () => Promise<void>,
): Promise<BackgroundStart> {
  let started = false;
  options.readiness.register(options.name, () => Promise.resolve(started), { required: false });
  const attempt = async (): Promise<void> => {
    await ensureTopicsIfKafka(options.bus, options.topics, { withDlq: false });
    await start();
    started = true;
  };
  if (!isKafka(options.bus)) {
    await attempt();

    return { done: Promise.resolve(), isStarted: () => started };
  }

  const logger = new Logger(options.name);
  const minDelayMs = options.minDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  options.shutdown.register('intake', `${options.name}-start`, () => {
    stopped = true;
    if (timer) {
      clearTimeout(timer);
    }
    wake?.();

    return Promise.resolve();
  });
  const done = (async () => {
    for (let failures = 0; !stopped; failures++) {
      try {
        await attempt();
        if (failures > 0) {
          logger.log(`started after ${failures} failed attempt(s)`);
        }

        return;
      } catch (error) {
        const delay = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(failures, 16));
        logger.warn(
          `cannot start yet (${error instanceof Error ? error.message : String(error)}); retrying in ${delay} ms`,
        );
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, delay);
        });
      }
    }
  })();

  return { done, isStarted: () => started };
}

/** Duck-typed like ensureTopicsIfKafka: only the Kafka adapter administers topics. */
function isKafka(bus: Bus): boolean {
  return typeof (bus as { ensureTopics?: unknown }).ensureTopics === 'function';
}
