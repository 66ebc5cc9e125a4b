'use strict';
// Shared by ready.cjs, create-topics.cjs and smoke.cjs (plain CommonJS so `node test/kafka/x.cjs` just works).
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

function loadKafkajs() {
  try {
    return require('kafkajs');
  } catch (e) {
    console.error(`kafkajs is not installed (${e.code || e.message}): run \`npm ci\` first`);
    process.exit(2);
  }
}

const { Kafka, logLevel } = loadKafkajs();

/** Brokers from KAFKA_BROKERS (comma separated); never `localhost` (Node 20 resolves it to ::1). */
function brokersFromEnv() {
  const port = process.env.KAFKA_PORT || '9092';
  return (process.env.KAFKA_BROKERS || `127.0.0.1:${port}`)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

function makeKafka(clientId, opts = {}) {
  return new Kafka({
    clientId,
    brokers: brokersFromEnv(),
    logLevel: process.env.KAFKAJS_LOG_LEVEL ? logLevel[process.env.KAFKAJS_LOG_LEVEL] : logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 200 },
    ...opts,
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

module.exports = { Kafka, logLevel, brokersFromEnv, makeKafka, sleep, withTimeout };
