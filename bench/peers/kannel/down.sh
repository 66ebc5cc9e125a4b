#!/usr/bin/env bash
# Stops what up.sh started (by the pids it recorded), smsbox and fakesmsc first, bearerbox last.
D=$(cd "$(dirname "$0")" && pwd)
R=${KANNEL_RUN_DIR:-$D/.run}
for p in smsbox fakesmsc bearerbox; do
  if [ -f "$R/$p.pid" ]; then
    kill "$(cat "$R/$p.pid")" 2>/dev/null
    rm -f "$R/$p.pid"
  fi
done
true
