#!/usr/bin/env bash
# Make sure the local MariaDB (127.0.0.1:3306, root, empty password) and Redis (127.0.0.1:6379) that the
# integration tests use are up, and that the databases sms_gateway and sms_test exist (utf8mb4).
# Starts a service only if it does not answer; installs it with apt-get only if it is not installed.
# Safe to run any number of times. Used by scripts/test.sh and `npm run dev:infra`.
set -euo pipefail

log() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"; $SUDO apt-get update -qq >/dev/null || die "apt-get update failed"; APT_UPDATED=1
  fi
  log "apt-get install $*"
  # policy-rc.d-less containers: the packages' own service start may fail; we start the daemons ourselves.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}
wait_for() {   # wait_for SECONDS DESCRIPTION CMD...
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.5
  done
}

# ---------- MariaDB ----------
mysql_tcp() { mariadb -uroot -h127.0.0.1 -P3306 --connect-timeout=2 -e 'select 1'; }
if mysql_tcp >/dev/null 2>&1; then
  log "mariadb already up on 127.0.0.1:3306"
else
  if [ ! -x /usr/sbin/mariadbd ] || ! command -v mariadb >/dev/null; then
    apt_install mariadb-server mariadb-client
  fi
  # After a reboot /run is empty: mariadbd needs its socket/pid directory.
  $SUDO install -d -o mysql -g mysql /run/mysqld 2>/dev/null || $SUDO mkdir -p /run/mysqld
  log "starting mariadbd"
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  if ! wait_for 60 mariadb mysql_tcp; then
    # A fresh Debian install authenticates root@localhost via unix_socket only: allow the empty TCP password.
    if mariadb -uroot --connect-timeout=2 -e 'select 1' >/dev/null 2>&1; then
      log "enabling root with an empty password over TCP"
      mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
        CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
        GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
    fi
    wait_for 5 mariadb mysql_tcp || {
      for f in /var/log/mysql/error.log /var/lib/mysql/*.err; do [ -f "$f" ] && tail -n 30 "$f" >&2; done
      mysql_tcp >&2 || true
      die "mariadb did not answer on 127.0.0.1:3306 within 60 s"
    }
  fi
  log "mariadb up"
fi
for db in sms_gateway sms_test; do
  mariadb -uroot -h127.0.0.1 -P3306 -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4" \
    || die "could not create database $db"
done
log "databases sms_gateway, sms_test present"

# ---------- Redis ----------
redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
if redis_ping; then
  log "redis already up on 127.0.0.1:6379"
else
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    apt_install redis-server redis-tools
  fi
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  log "starting redis-server"
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
    || { tail -n 20 /var/log/redis/ci.log >&2 || true; die "redis-server failed to start"; }
  wait_for 30 redis redis_ping || { tail -n 20 /var/log/redis/ci.log >&2 || true; die "redis did not answer PONG on 127.0.0.1:6379 within 30 s"; }
  log "redis up"
fi
