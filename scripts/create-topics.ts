/**
 * Creates the gateway's Kafka topics (and each one's `.dlq`) with the partition counts in a topics file,
 * then waits until every partition has a leader. Idempotent: existing topics are left alone (a different
 * partition count is reported, never changed: repartitioning moves keys and breaks per-key order).
 *
 *   KAFKA_BROKERS=... node -r ./scripts/register.js scripts/create-topics.ts [topics.json]
 *
 * TLS and SASL as the services: KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME,
 * KAFKA_SASL_PASSWORD (docs/deployment.md).
 *
 * The Kubernetes Job and docker compose run it with k8s/base/topics.json, the file the autoscaling test
 * also reads, so a ScaledObject can never allow more replicas than its topic has partitions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KafkaBus, type KafkaSecurity, kafkaSecurityFromEnv, PLAINTEXT_KAFKA, type TopicSpec } from '@sms/bus';
import { GLOBAL_TOPICS, loadRegionConfig } from '@sms/platform';

export const DEFAULT_TOPICS_FILE = path.join(__dirname, '..', 'k8s', 'base', 'topics.json');

export function readTopicSpecs(file: string = DEFAULT_TOPICS_FILE, replicationFactor?: number): TopicSpec[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { topics: TopicSpec[] };

  return parsed.topics.map((spec) => ({ ...spec, ...(replicationFactor ? { replicationFactor } : {}) }));
}

/**
 * The topics' names on the broker, as the services' bus names them: KAFKA_TOPIC_PREFIX before each, and with
 * regions on (docs/regions.md) KAFKA_GLOBAL_TOPIC_PREFIX before the topics every region shares.
 */
export function prefixedSpecs(specs: readonly TopicSpec[], env: Record<string, string | undefined>): TopicSpec[] {
  const region = loadRegionConfig(env);
  const prefix = env['KAFKA_TOPIC_PREFIX'] ?? '';

  return specs.map((spec) => ({
    ...spec,
    topic: (region.region !== null && GLOBAL_TOPICS.has(spec.topic) ? region.globalTopicPrefix : prefix) + spec.topic,
  }));
}

export async function createTopics(
  brokers: readonly string[],
  specs: readonly TopicSpec[],
  security: KafkaSecurity = PLAINTEXT_KAFKA,
): Promise<void> {
  const bus = new KafkaBus({ brokers, clientId: 'create-topics', security });
  try {
    await bus.ensureTopics(specs, { withDlq: true });
  } finally {
    await bus.close();
  }
}

if (require.main === module) {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const replication = process.env['KAFKA_REPLICATION_FACTOR']
    ? Number(process.env['KAFKA_REPLICATION_FACTOR'])
    : undefined;
  const specs = prefixedSpecs(
    readTopicSpecs(process.argv[2] ?? process.env['TOPICS_FILE'] ?? DEFAULT_TOPICS_FILE, replication),
    process.env,
  );
  Promise.resolve()
    .then(() => createTopics(brokers, specs, kafkaSecurityFromEnv(process.env)))
    .then(() =>
      process.stdout.write(`topics ready: ${specs.map((s) => `${s.topic}(${s.numPartitions})`).join(', ')}\n`),
    )
    .catch((error: unknown) => {
      process.stderr.write(`creating topics failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
