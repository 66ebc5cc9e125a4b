#!/usr/bin/env bash
# `npm test`: every Jest layer (unit, integration, e2e) against the real MariaDB, Redis and Kafka.
#   bash scripts/test.sh [jest args...]      e.g. npm test -- --selectProjects unit
# 1. scripts/ensure-services.sh (MariaDB + Redis up, databases sms_gateway/sms_test present)
# 2. Kafka: uses $KAFKA_BROKERS if it is set and answers (topics are still ensured), or a broker already
#    answering on 127.0.0.1:${KAFKA_PORT:-9092}, or else a broker that
#    test/kafka/up.sh of this checkout already runs (so that a second `npm test` in the same work tree
#    does not restart the broker under the first one); otherwise starts one with test/kafka/up.sh and
#    stops it on exit. A broker is only ever stopped by the script run that started it.
# 3. jest --ci, results also written to tmp/jest-results.json (counted by .ci/run). Exit code = jest's.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/ensure-services.sh || { echo "test.sh: MariaDB/Redis not available" >&2; exit 1; }

STARTED_KAFKA=""
cleanup() { if [ -n "$STARTED_KAFKA" ]; then bash test/kafka/down.sh || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A broker started earlier by this checkout's up.sh (pid file, still a kafka.Kafka JVM with our config)?
if [ -z "${KAFKA_BROKERS:-}" ] && [ -f test/kafka/.run/kafka.pid ] &&
   tr '\0' ' ' 2>/dev/null < "/proc/$(cat test/kafka/.run/kafka.pid)/cmdline" | grep -qF "kafka.Kafka $ROOT/test/kafka/.run/server.properties"; then
  KAFKA_BROKERS="$(sed -n 's|^advertised.listeners=PLAINTEXT://||p' test/kafka/.run/server.properties)"
fi
# Otherwise a broker already answering on the default port (another checkout's, or a CI host's) serves too:
# the suites use their own databases, topics are ensured, and restarting it would break its owner.
if [ -z "${KAFKA_BROKERS:-}" ] && KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}" KAFKA_READY_TIMEOUT_MS=3000 \
     node test/kafka/ready.cjs >/dev/null 2>&1; then
  KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
fi
if [ -n "${KAFKA_BROKERS:-}" ] && KAFKA_READY_TIMEOUT_MS=5000 node test/kafka/ready.cjs; then
  echo "test.sh: using the running Kafka at $KAFKA_BROKERS"
else
  [ -z "${KAFKA_BROKERS:-}" ] || echo "test.sh: KAFKA_BROKERS=$KAFKA_BROKERS does not answer; starting a local broker"
  # (up.sh stops the broker itself when its start fails, so STARTED_KAFKA is set only on success)
  # --reset: a broker this run starts and stops is a throw-away one; its data must not leak into the next run.
  bash test/kafka/up.sh --reset || { echo "test.sh: could not start Kafka" >&2; exit 1; }
  STARTED_KAFKA=1
  KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
fi

mkdir -p tmp
rm -f tmp/jest-results.json
KAFKA_BROKERS="$KAFKA_BROKERS" \
MYSQL_URL="${MYSQL_URL:-mysql://root@127.0.0.1:3306/sms_test}" \
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" \
KAFKAJS_NO_PARTITIONER_WARNING=1 \
  npx --no-install jest --ci --json --outputFile=tmp/jest-results.json "$@"
rc=$?
exit "$rc"
