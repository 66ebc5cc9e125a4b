#!/usr/bin/env bash
# Starts bearerbox, smsbox and fakesmsc for the end-to-end bench on ports from KANNEL_PORT_BASE (default 13500),
# state and pids in KANNEL_RUN_DIR (default .run beside this file). Installs the Debian packages when missing.
# Prints the three pids, one `name pid` a line, once sendsms answers.
set -eu
D=$(cd "$(dirname "$0")" && pwd)
R=${KANNEL_RUN_DIR:-$D/.run}
B=${KANNEL_PORT_BASE:-13500}
if [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q kannel kannel-extras >/dev/null
fi
mkdir -p "$R/spool"
sed -e "s|@RUN@|$R|g" -e "s|@ADMIN@|$B|" -e "s|@SMSBOX@|$((B + 1))|g" -e "s|@SENDSMS@|$((B + 13))|" \
  -e "s|@FAKE@|$((B + 50))|" "$D/kannel.conf" >"$R/kannel.conf"
/usr/sbin/bearerbox "$R/kannel.conf" >"$R/bearerbox.out" 2>&1 &
echo $! >"$R/bearerbox.pid"
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$((B + 1))") 2>/dev/null && break; sleep 0.1; done
/usr/sbin/smsbox "$R/kannel.conf" >"$R/smsbox.out" 2>&1 &
echo $! >"$R/smsbox.pid"
# fakesmsc takes MT from bearerbox and sends no MO (-m 0); its output is one line per message received.
/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r $((B + 50)) -i 1 -m 0 "100 200 text nop" >"$R/fakesmsc.out" 2>&1 &
echo $! >"$R/fakesmsc.pid"
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$((B + 13))/" &&
    curl -s "http://127.0.0.1:$B/status.txt?password=bench" | grep -q "^SMSC connections:" &&
    curl -s "http://127.0.0.1:$B/status.txt?password=bench" | grep -q "FAKE.*online"; then
    for p in bearerbox smsbox fakesmsc; do echo "$p $(cat "$R/$p.pid")"; done
    exit 0
  fi
  sleep 0.2
done
echo "kannel did not come up; see $R" >&2
exit 1
