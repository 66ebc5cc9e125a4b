/**
 * What account webhooks add to intake's status path, in this process on SQLite: N messages moved to
 * `sent` and `delivered` by the StatusApplier (CONC at a time) in three set-ups, in alternating rounds:
 *
 * - `off`: no webhook runtime (WEBHOOK_SECRETS_KEY unset, the code before webhooks);
 * - `unsubscribed`: webhooks on, the messages' account has no subscription (one map lookup per message);
 * - `subscribed`: the account has one `message.status` subscription (a delivery row per change).
 *
 * Prints the median CPU milliseconds of this process per message (two status events) for each. The
 * dispatcher does not run: this is the cost of recording events, not of posting them.
 *
 *   node -r ./scripts/register.js bench/webhooks.bench.ts
 *
 * Env (defaults): N 2000, CONC 16, ROUNDS 5.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StatusEventKind, StatusEventSource, type StatusChangedV1 } from '@sms/contracts';
import { createServiceDataSource } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS, INTAKE_OUTBOX } from '../libs/intake/feature/src/database/intake.schema';
import { LedgerWriter } from '../libs/intake/feature/src/ledger/ledger.writer';
import { validateMessageRequest } from '../libs/intake/feature/src/messages/message-request.validator';
import { StatusApplier } from '../libs/intake/feature/src/status/status-applier.service';
import { AccountWebhooks } from '../libs/intake/feature/src/webhooks/account-webhooks';
import { WebhookDirectory } from '../libs/intake/feature/src/webhooks/webhook-directory';
import { WebhookSecretBox } from '../libs/intake/feature/src/webhooks/webhook-secrets';
import { WebhookStore } from '../libs/intake/feature/src/webhooks/webhook.store';

const N = Number(process.env['N'] ?? 2000);
const CONC = Number(process.env['CONC'] ?? 16);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const SUBSCRIBED = '7c0e2a51-9a3b-4d6e-8f10-2b3c4d5e6f70';
const UNSUBSCRIBED = '2e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b';

type Setup = 'off' | 'unsubscribed' | 'subscribed';

const ownCpuMs = (): number => {
  const usage = process.cpuUsage();

  return (usage.user + usage.system) / 1000;
};

async function inGroups<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
  }
}

const statusEvent = (messageId: string, kind: StatusEventKind): StatusChangedV1 => ({
  eventId: randomUUID(),
  messageId,
  kind,
  source: kind === StatusEventKind.Sent ? StatusEventSource.SendWorker : StatusEventSource.Dlr,
  attempt: 1,
  provider: 'twilio',
  providerMessageId: `SM${messageId}`,
  errorCode: null,
  errorMessage: null,
  errorClass: null,
  ambiguous: null,
  cost: null,
  currency: null,
  detail: null,
  occurredAt: new Date().toISOString(),
});

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'webhooks-bench-'));
  const dataSource: DataSource = await createServiceDataSource({
    service: 'intake',
    database: { kind: 'sqlite', directory },
    entities: INTAKE_ENTITIES,
    migrations: INTAKE_MIGRATIONS,
  }).initialize();
  try {
    const box = new WebhookSecretBox('bench-key-bench-key-bench-key-bench-key');
    const store = new WebhookStore(dataSource, box, 24 * 3_600_000);
    await store.create(SUBSCRIBED, {
      url: 'https://hooks.example.com/bench',
      events: ['message.status'],
      secret: null,
    });
    const hooks = new WebhookDirectory(dataSource);
    await hooks.refresh();
    const events = new AccountWebhooks(
      hooks,
      store,
      () => Promise.resolve(null),
      () => undefined,
    );
    const writer = new LedgerWriter(dataSource);
    const message = validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456' });
    const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };
    const callbacks = { schema: INTAKE_OUTBOX, onCommitted: () => undefined };
    const appliers: Record<Setup, StatusApplier> = {
      off: new StatusApplier(dataSource, policy, undefined, undefined, callbacks),
      unsubscribed: new StatusApplier(
        dataSource,
        policy,
        undefined,
        undefined,
        callbacks,
        undefined,
        undefined,
        events,
      ),
      subscribed: new StatusApplier(dataSource, policy, undefined, undefined, callbacks, undefined, undefined, events),
    };
    const run = async (setup: Setup, n: number): Promise<number> => {
      const accountId = setup === 'subscribed' ? SUBSCRIBED : UNSUBSCRIBED;
      const ids = Array.from({ length: n }, () => randomUUID());
      await inGroups(ids, CONC, (id) =>
        writer.write({ id, message, apiKeyId: null, accountId, createdAt: new Date(), traceHeaders: {} }),
      );
      const applier = appliers[setup];
      const start = ownCpuMs();
      await inGroups(ids, CONC, (id) => applier.apply(statusEvent(id, StatusEventKind.Sent)));
      await inGroups(ids, CONC, (id) => applier.apply(statusEvent(id, StatusEventKind.Delivered)));

      return (ownCpuMs() - start) / n;
    };
    const setups: Setup[] = ['off', 'unsubscribed', 'subscribed'];
    for (const setup of setups) {
      await run(setup, 300);
    }
    const samples: Record<Setup, number[]> = { off: [], unsubscribed: [], subscribed: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Each round runs the three in a rotated order, so drift over the run does not favour one.
      for (const setup of [...setups.slice(round % 3), ...setups.slice(0, round % 3)]) {
        samples[setup].push(await run(setup, N));
      }
    }
    const [rows] = await dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM webhook_deliveries');
    console.log(
      JSON.stringify({
        db: 'sqlite',
        n: N,
        concurrency: CONC,
        rounds: ROUNDS,
        medianCpuMsPerMessage: Object.fromEntries(setups.map((s) => [s, Number(median(samples[s]).toFixed(4))])),
        samples,
        deliveryRowsWritten: Number(rows?.n ?? 0),
      }),
    );
  } finally {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
}

void main();
