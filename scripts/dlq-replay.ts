/**
 * Puts dead-lettered records back on their source topic, each dead letter at most once (the replay ledger,
 * docs/reliability.md "DLQ replay"):
 *
 *   npm run dlq:replay -- --topic sms.status.v1.dlq [--from 2026-12-06T10:00:00Z] [--to ...] [--limit 100] [--dry-run]
 *
 * Distributed mode: talks to Kafka directly (KAFKA_BROKERS, default 127.0.0.1:9092; TLS and SASL from
 * KAFKA_SSL, KAFKA_SSL_CA_FILE and KAFKA_SASL_* as the services).
 * Embedded mode: the DLQ lives in the gateway's memory, so the command asks the running gateway instead:
 *   --url http://localhost:3000 [--api-key KEY]   (or SMS_API_KEY; the key needs the operator scope)
 *
 * Prints the result as JSON. Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import {
  assertReplayRequest,
  DlqReplayRequestError,
  type DlqReplayRequest,
  KafkaBus,
  kafkaSecurityFromEnv,
} from '@sms/bus';

export interface DlqReplayCommand {
  readonly request: DlqReplayRequest;
  /** Set: ask this gateway's `POST /v1/admin/dlq/replay` (embedded mode). */
  readonly url?: string;
  readonly apiKey?: string;
}

/** A command line that cannot be run; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE =
  'usage: dlq-replay --topic <topic>.dlq [--from ISO-time] [--to ISO-time] [--limit N] [--dry-run] ' +
  '[--url http://gateway:port [--api-key KEY]]';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseDlqReplayArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): DlqReplayCommand {
  let values: ReturnType<typeof parseOptions>['values'];
  try {
    ({ values } = parseOptions(argv));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.topic === undefined) {
    throw new UsageError(`--topic is required\n${USAGE}`);
  }
  const time = (name: 'from' | 'to'): Date | undefined => {
    const value = values[name];
    if (value === undefined) {
      return undefined;
    }
    if (!ISO_TIME.test(value)) {
      throw new UsageError(`--${name} must be an ISO 8601 time with a zone, e.g. 2026-12-06T10:00:00Z`);
    }

    return new Date(value);
  };
  let limit: number | undefined;
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit)) {
      throw new UsageError('--limit must be a positive integer');
    }
    limit = Number(values.limit);
  }
  const request: DlqReplayRequest = {
    dlqTopic: values.topic,
    from: time('from'),
    to: time('to'),
    ...(limit !== undefined ? { limit } : {}),
    dryRun: values['dry-run'] ?? false,
  };
  try {
    assertReplayRequest(request);
  } catch (error) {
    if (error instanceof DlqReplayRequestError) {
      throw new UsageError(`--${error.message}`);
    }
    throw error;
  }
  const apiKey = values['api-key'] ?? env['SMS_API_KEY'];
  if (values.url !== undefined && !/^https?:\/\//.test(values.url)) {
    throw new UsageError('--url must be an http(s) URL of the gateway');
  }

  return { request, ...(values.url ? { url: values.url.replace(/\/+$/, '') } : {}), ...(apiKey ? { apiKey } : {}) };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      topic: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
}

/** Runs the replay; resolves to what to print. */
export async function runDlqReplay(
  command: DlqReplayCommand,
  env: Record<string, string | undefined> = process.env,
): Promise<unknown> {
  if (command.url) {
    return replayThroughGateway(command.url, command.apiKey, command.request);
  }
  const brokers = (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const bus = new KafkaBus({ brokers, clientId: 'dlq-replay', security: kafkaSecurityFromEnv(env) });
  try {
    return await bus.replayDeadLetters(command.request);
  } finally {
    await bus.close();
  }
}

async function replayThroughGateway(
  url: string,
  apiKey: string | undefined,
  request: DlqReplayRequest,
): Promise<unknown> {
  if (!apiKey) {
    throw new UsageError('--url needs --api-key (or SMS_API_KEY): a key with the operator scope');
  }
  const response = await fetch(`${url}/v1/admin/dlq/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      topic: request.dlqTopic,
      ...(request.from ? { from: request.from.toISOString() } : {}),
      ...(request.to ? { to: request.to.toISOString() } : {}),
      ...(request.limit !== undefined ? { limit: request.limit } : {}),
      ...(request.dryRun ? { dryRun: true } : {}),
    }),
    signal: AbortSignal.timeout(120_000),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(`the gateway answered ${response.status}: ${JSON.stringify(body)}`);
  }

  return body;
}

if (require.main === module) {
  (async () => {
    const command = parseDlqReplayArgs(process.argv.slice(2), process.env);
    const result = await runDlqReplay(command);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  })().catch((error: unknown) => {
    process.stderr.write(`dlq-replay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
