#!/usr/bin/env node
'use strict';
// Creates the project's topics (topics.json) if missing and waits until every partition has a leader.
// Idempotent. Usage: node test/kafka/create-topics.cjs   (KAFKA_BROKERS=127.0.0.1:9092 by default)
//
// Why not just admin.createTopics({ waitForLeaders: true })? On a KRaft broker the CreateTopics answer
// comes when the controller has committed the topic, before the broker's own metadata cache has it.
// kafkajs 2.2.4 then polls Metadata but retries only LEADER_NOT_AVAILABLE: the UNKNOWN_TOPIC_OR_PARTITION
// ("This server does not host this topic-partition") it often gets first is thrown at once (seen in about
// half the runs here). ensureTopics() still asks for waitForLeaders, tolerates that error, and then
// polls the metadata itself. Use it (not a bare createTopics) in test global setup too.
const path = require('node:path');
const { makeKafka, sleep } = require('./kafka-client.cjs');

const TOPICS_FILE = path.join(__dirname, 'topics.json');
const LAG_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER']);

function loadTopics() {
  return require(TOPICS_FILE).topics;
}

function isLag(e) {
  if (LAG_ERRORS.has(e && e.type)) return true;
  const errs = (e && e.errors) || [];
  return errs.length > 0 && errs.every((x) => LAG_ERRORS.has(x.type) || x.type === 'TOPIC_ALREADY_EXISTS');
}

/** Polls until each topic exists with the partition count asked for and every partition has a leader. */
async function waitForTopics(admin, topics, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let why = '';
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      const byName = new Map(meta.map((m) => [m.name, m]));
      const bad = topics.find((t) => {
        const m = byName.get(t.topic);
        if (!m) return (why = `${t.topic} missing`);
        if (t.numPartitions && m.partitions.length < t.numPartitions)
          return (why = `${t.topic} has ${m.partitions.length} partitions, want ${t.numPartitions}`);
        if (m.partitions.some((p) => p.leader < 0 || p.partitionErrorCode))
          return (why = `${t.topic} has no leader yet`);
        return false;
      });
      if (!bad) return;
    } catch (e) {
      if (!isLag(e)) throw e;
      why = e.message;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${why}`);
    await sleep(100);
  }
}

/**
 * Creates the missing topics (kafkajs ITopicConfig objects) and waits for their leaders.
 * @param {import('kafkajs').Admin} admin a connected admin client
 */
async function ensureTopics(admin, topics = loadTopics(), timeoutMs = 30000) {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true, timeout: timeoutMs });
    } catch (e) {
      if (!isLag(e)) throw e; // KRaft metadata lag (see above) or a concurrent creator: poll below
    }
  }
  // A topic the broker auto-created (a producer ran before this script) has the broker's default of one
  // partition; grow it to the count asked for rather than failing the run (partitions can only grow).
  const present = topics.filter((t) => existing.has(t.topic) && t.numPartitions);
  if (present.length) {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
    const short = present.filter((t) => {
      const m = meta.find((x) => x.name === t.topic);
      return m && m.partitions.length < t.numPartitions;
    });
    if (short.length) {
      await admin.createPartitions({ topicPartitions: short.map((t) => ({ topic: t.topic, count: t.numPartitions })) });
    }
  }
  await waitForTopics(admin, topics, timeoutMs);
  return { created: missing.map((t) => t.topic), total: topics.length };
}

module.exports = { ensureTopics, waitForTopics, loadTopics, TOPICS_FILE };

if (require.main === module) {
  (async () => {
    const admin = makeKafka('create-topics').admin();
    await admin.connect();
    try {
      const r = await ensureTopics(admin);
      console.log(`topics: ${r.created.length} created, ${r.total} present`);
    } finally {
      await admin.disconnect();
    }
  })().catch((e) => {
    console.error('create-topics failed:', e.message);
    process.exit(1);
  });
}
