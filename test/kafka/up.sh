#!/usr/bin/env bash
# Start a single-node KRaft Kafka broker (3.9.x, jars from Maven Central, no Docker) on 127.0.0.1.
#   bash test/kafka/up.sh      ports: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093)
# Idempotent: a broker that this script started earlier (pid in test/kafka/.run/kafka.pid) is stopped
# first and started again on the same data: topics, records and committed offsets survive, so a restart
# is not a data loss. Only `--reset` (or KAFKA_RESET=1) wipes the data and formats a new cluster; a
# first run formats one anyway. Ends with ready.cjs: kafkajs describeCluster, creation of the project's
# topics (topics.json) and a produce+consume round trip.
#   bash test/kafka/up.sh --reset      start from an empty cluster (test runs that start their own broker)
# Stop with test/kafka/down.sh. Logs: test/kafka/.run/logs/{server.log,stdout.log}.
#   bash test/kafka/up.sh --fetch-only   only resolve the jars (CI runs it in parallel with npm ci)
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; RUN="${KAFKA_RUN_DIR:-$DIR/.run}"; LIBS="$DIR/libs"
PORT="${KAFKA_PORT:-9092}"; CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
T0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - T0) / 1000000 )); }
log() { echo "kafka-up: $*"; }
die() { echo "kafka-up: ERROR: $*" >&2; exit 1; }
tail_logs() {   # what a failed start needs to show: errors first, then the last lines
  local f="$RUN/logs/server.log"
  if [ -s "$f" ]; then
    if grep -qE 'ERROR|FATAL|Exception' "$f"; then
      echo "----- errors in $f -----" >&2; grep -E 'ERROR|FATAL|Exception' "$f" | head -n 15 >&2
    fi
    echo "----- tail -n 40 $f -----" >&2; tail -n 40 "$f" >&2
  fi
  f="$RUN/logs/stdout.log"
  if [ -s "$f" ]; then echo "----- tail -n 30 $f -----" >&2; tail -n 30 "$f" >&2; fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

[ "$PORT" != "$CPORT" ] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $PORT)"
command -v "$JAVA" >/dev/null || die "java not found (need OpenJDK 17+)"
command -v node >/dev/null || die "node not found"

# One up.sh at a time per port (two checkouts on one machine must use different KAFKA_PORTs).
exec 9>"${TMPDIR:-/tmp}/kafka-local-up.$PORT.lock"
flock -w 180 9 || die "another up.sh for port $PORT is still running"

# 1. Jars: resolved from Maven Central into libs/ (~46 MB), refreshed whenever pom.xml changes.
STAMP="$(sha256sum "$DIR/pom.xml" | cut -c1-16)"
if [ "$(cat "$LIBS/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  log "resolving broker jars with Maven (first run only)..."
  rm -rf "$LIBS" "$LIBS.tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$DIR/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" > "${TMPDIR:-/tmp}/kafka-mvn.$PORT.log" 2>&1; then
    tail -n 40 "${TMPDIR:-/tmp}/kafka-mvn.$PORT.log" >&2; die "mvn could not resolve the broker jars"
  fi
  ls "$LIBS.tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn ran but no kafka_2.13 jar in $LIBS.tmp"
  echo "$STAMP" > "$LIBS.tmp/.stamp"; mv "$LIBS.tmp" "$LIBS"
  log "jars ready after $(ms) ms ($(du -sh "$LIBS" | cut -f1))"
fi
[ "${1:-}" != "--fetch-only" ] || exit 0
RESET="${KAFKA_RESET:-0}"
for arg in "$@"; do
  case "$arg" in
    --reset) RESET=1 ;;
    *) die "unknown argument: $arg (use --reset, or --fetch-only alone)" ;;
  esac
done

# 2. Stop our own earlier broker (by pid file only), then make sure the ports are free.
bash "$DIR/down.sh" || true
for p in "$PORT" "$CPORT"; do
  port_open "$p" && die "port $p on 127.0.0.1 is already in use by a process this script did not start.
  Use that broker (KAFKA_BROKERS=127.0.0.1:$PORT) or choose other free ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT."
done

# The data stays unless a reset is asked for; the logs are per start ("Kafka Server started" is awaited below).
if [ "$RESET" = "1" ]; then
  log "KAFKA_RESET/--reset: wiping $RUN"
  rm -rf "$RUN"
fi
rm -rf "$RUN/logs"; mkdir -p "$RUN/data" "$RUN/logs"
cat > "$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$RUN/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.dedupe.buffer.size=16777216
log.cleaner.threads=1
PROPS

# Serial GC + C1 only: quickest start on 2 cores. KAFKA_HEAP_OPTS as in Kafka's own scripts; KAFKA_JIT_OPTS
# replaces the JIT/GC flags (e.g. -XX:+UseSerialGC for the full JIT; measured on the DLR bench it cost the
# broker more CPU per receipt here, 0.12-0.20 ms against 0.10-0.11 ms with C1, so the default stays).
read -r -a HEAP <<< "${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
read -r -a JIT <<< "${KAFKA_JIT_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
JVM=("${JIT[@]}" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$DIR/log4j.properties")
CP="$LIBS/*"   # quoted: java expands the wildcard, not the shell

# 3. Format the storage with a fresh cluster id (16 random bytes, base64url, not starting with '-'), unless it
#    holds a cluster already (meta.properties): then the broker starts on the data it had.
if [ -s "$RUN/data/meta.properties" ]; then
  log "keeping the existing data in $RUN/data (cluster $(sed -n 's/^cluster.id=//p' "$RUN/data/meta.properties")); --reset wipes it"
else
  CID="$(node -e "let s;do{s=require('crypto').randomBytes(16).toString('base64url')}while(s[0]==='-');process.stdout.write(s)")"
  mkdir -p "$RUN/logs/format"
  if ! "$JAVA" -Xmx256m "${JVM[@]}" "-Dkafka.logs.dir=$RUN/logs/format" -cp "$CP" kafka.tools.StorageTool \
      format -t "$CID" -c "$RUN/server.properties" > "$RUN/logs/format.out" 2>&1; then
    sed 's/^/  /' "$RUN/logs/format.out" | head -n 30 >&2; die "kafka-storage format failed (config: $RUN/server.properties)"
  fi
  log "storage formatted after $(ms) ms"
fi

# 4. Start the broker in the background and wait for "Kafka Server started".
nohup "$JAVA" "${HEAP[@]}" "${JVM[@]}" "-Dkafka.logs.dir=$RUN/logs" -cp "$CP" kafka.Kafka "$RUN/server.properties" > "$RUN/logs/stdout.log" 2>&1 < /dev/null 9>&- &   # 9>&-: the broker must not inherit the up.sh lock
PID=$!
echo "$PID" > "$RUN/kafka.pid"
fail() { tail_logs 80; bash "$DIR/down.sh" || true; die "$*"; }
started=""
for _ in $(seq 1 $(( START_TIMEOUT * 5 ))); do
  if grep -q 'Kafka Server started' "$RUN/logs/server.log" 2>/dev/null; then started=1; break; fi
  kill -0 "$PID" 2>/dev/null || fail "the broker JVM (pid $PID) exited during startup"
  sleep 0.2
done
[ -n "$started" ] || fail "broker not started after ${START_TIMEOUT}s"
log "broker pid $PID started after $(ms) ms"

# 5. Client-side proof: kafkajs describeCluster + topics + produce/consume round trip.
KAFKA_BROKERS="127.0.0.1:$PORT" node "$DIR/ready.cjs" || fail "kafkajs readiness/round trip failed"
log "up on 127.0.0.1:$PORT (controller $CPORT), pid $PID, total $(ms) ms"
