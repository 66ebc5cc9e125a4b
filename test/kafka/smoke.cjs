#!/usr/bin/env node
'use strict';
// A real kafkajs round trip: produce one uniquely-valued message and consume it back through a
// consumer group. Used by ready.cjs (so up.sh ends with it) and runnable on its own:
//   node test/kafka/smoke.cjs            (KAFKA_BROKERS=127.0.0.1:9092 by default)
const crypto = require('node:crypto');
const { makeKafka, withTimeout } = require('./kafka-client.cjs');
const { ensureTopics } = require('./create-topics.cjs');

const SMOKE_TOPIC = process.env.KAFKA_SMOKE_TOPIC || '_local.smoke.v1';

/** @param {import('kafkajs').Kafka} kafka */
async function roundTrip(kafka, { topic = SMOKE_TOPIC, timeoutMs = 30000 } = {}) {
  const t0 = Date.now();
  const id = `${Date.now()}-${crypto.randomBytes(6).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, numPartitions: 1 }], 20000);
  } finally {
    await admin.disconnect();
  }

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `smoke-${id}`, sessionTimeout: 10000, heartbeatInterval: 1000 });
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const got = new Promise((resolve) => {
      consumer.run({
        eachMessage: async ({ message, partition }) => {
          if (message.value && message.value.toString() === id) resolve({ partition, offset: message.offset });
        },
      });
    });
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: id, value: id }] });
    const recv = await withTimeout(got, timeoutMs, `consuming the smoke message from ${topic}`);
    return { topic, offset: recv.offset, sentOffset: sent.baseOffset, ms: Date.now() - t0 };
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
  }
}

module.exports = { roundTrip, SMOKE_TOPIC };

if (require.main === module) {
  roundTrip(makeKafka('smoke'))
    .then((r) => {
      console.log(`kafka round trip ok: ${r.topic} offset ${r.offset} in ${r.ms} ms`);
      process.exit(0);
    })
    .catch((e) => {
      console.error('kafka round trip FAILED:', e.message);
      process.exit(1);
    });
}
