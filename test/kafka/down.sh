#!/usr/bin/env bash
# Stop the broker started by test/kafka/up.sh: only the pid in test/kafka/.run/kafka.pid, and only if
# that pid is still a kafka.Kafka JVM running this checkout's config (a stale pid file never kills
# another process). SIGTERM (controlled shutdown), SIGKILL after 20 s. Always exits 0 if nothing is left.
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; RUN="${KAFKA_RUN_DIR:-$DIR/.run}"; PIDF="$RUN/kafka.pid"
[ -f "$PIDF" ] || exit 0
PID="$(cat "$PIDF" 2>/dev/null)"
ours() { [ -n "$PID" ] && tr "\0" " " 2>/dev/null < "/proc/$PID/cmdline" | grep -qF "kafka.Kafka $RUN/server.properties"; }
if ! ours; then rm -f "$PIDF"; exit 0; fi
kill "$PID" 2>/dev/null || true
for _ in $(seq 1 80); do ours || break; sleep 0.25; done
if ours; then echo "kafka-down: pid $PID still running after 20 s, SIGKILL" >&2; kill -9 "$PID" 2>/dev/null || true; sleep 0.5; fi
rm -f "$PIDF"
echo "kafka-down: stopped pid $PID"
