#!/usr/bin/env node
'use strict';
// Creates the project's topics (topics.json) if missing, waiting for leaders. Idempotent.
// Usage: node test/kafka/create-topics.cjs   (KAFKA_BROKERS=127.0.0.1:9092 by default)
const path = require('node:path');
const { makeKafka } = require('./kafka-client.cjs');

const TOPICS_FILE = path.join(__dirname, 'topics.json');

function loadTopics() {
  return require(TOPICS_FILE).topics;
}

/** @param {import('kafkajs').Admin} admin a connected admin client */
async function createTopics(admin, topics = loadTopics()) {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length) {
    await admin.createTopics({ topics: missing, waitForLeaders: true, timeout: 30000 });
  }
  // Verify: every topic has its leaders and the partition count asked for.
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
  const byName = new Map(meta.map((m) => [m.name, m]));
  for (const t of topics) {
    const m = byName.get(t.topic);
    if (!m) throw new Error(`topic ${t.topic} missing after create`);
    if (m.partitions.length !== t.numPartitions) {
      throw new Error(`topic ${t.topic} has ${m.partitions.length} partitions, want ${t.numPartitions}`);
    }
    const leaderless = m.partitions.filter((p) => p.leader < 0);
    if (leaderless.length) throw new Error(`topic ${t.topic} has partitions without a leader`);
  }
  return { created: missing.map((t) => t.topic), total: topics.length };
}

module.exports = { createTopics, loadTopics, TOPICS_FILE };

if (require.main === module) {
  (async () => {
    const admin = makeKafka('create-topics').admin();
    await admin.connect();
    try {
      const r = await createTopics(admin);
      console.log(`topics: ${r.created.length} created, ${r.total} present`);
    } finally {
      await admin.disconnect();
    }
  })().catch((e) => {
    console.error('create-topics failed:', e.message);
    process.exit(1);
  });
}
