#!/usr/bin/env node
'use strict';
// Readiness for test/kafka/up.sh: wait until kafkajs can describe the cluster, create the project's
// topics (topics.json, waitForLeaders), then do a real produce+consume round trip (smoke.cjs).
// Exits 0 only if all of that worked. KAFKA_READY_TIMEOUT_MS (default 60000) bounds the wait.
const { makeKafka, sleep } = require('./kafka-client.cjs');
const { ensureTopics } = require('./create-topics.cjs');
const { roundTrip } = require('./smoke.cjs');

(async () => {
  const t0 = Date.now();
  const deadline = t0 + Number(process.env.KAFKA_READY_TIMEOUT_MS || 60000);
  // retries: 0 while polling so that each attempt fails fast.
  const probe = makeKafka('ready-check', { retry: { retries: 0 } });
  let cluster;
  for (;;) {
    const admin = probe.admin();
    try {
      await admin.connect();
      cluster = await admin.describeCluster();
      await admin.disconnect();
      break;
    } catch (e) {
      await admin.disconnect().catch(() => {});
      if (Date.now() > deadline) throw new Error(`broker not reachable: ${e.message}`);
      await sleep(300);
    }
  }
  const kafka = makeKafka('ready');
  const admin = kafka.admin();
  await admin.connect();
  let topics;
  try {
    topics = await ensureTopics(admin);
  } finally {
    await admin.disconnect();
  }
  const rt = await roundTrip(kafka);
  console.log(
    `kafka ready: cluster ${cluster.clusterId}, brokers ${cluster.brokers.map((b) => `${b.host}:${b.port}`).join(',')}; ` +
      `topics ${topics.created.length} created/${topics.total}; round trip ${rt.ms} ms (total ${Date.now() - t0} ms)`,
  );
  process.exit(0);
})().catch((e) => {
  console.error('kafka NOT ready:', e.message);
  process.exit(1);
});
