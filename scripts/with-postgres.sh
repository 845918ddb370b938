#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server:
#   scripts/with-postgres.sh COMMAND [ARGS...]
# Starts Debian's PostgreSQL (initdb in a temp dir, loopback only, a free
# port, trust auth for the local test user), exports AIRLOCK_TEST_PG_URL for
# the command, and stops and deletes the server afterwards, whatever the
# command's outcome. PostgreSQL refuses to run as root: as root the server
# runs as the `postgres` user (runuser), otherwise as the caller.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries under /usr/lib/postgresql (apt install postgresql)" >&2
  exit 2
fi

DIR=$(mktemp -d /tmp/airlock-pg.XXXXXX)
chmod 755 "$DIR"
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$DIR"
  AS=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U airlock --auth=trust -E UTF8 --no-sync >"$DIR/initdb.log" 2>&1 ||
  { cat "$DIR/initdb.log" >&2; exit 2; }
# fsync stays on: the benchmarks measure durable commits.
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=200" start >/dev/null ||
  { cat "$DIR/server.log" >&2; exit 2; }
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U airlock airlock_test

export AIRLOCK_TEST_PG_URL="postgresql://airlock@127.0.0.1:$PORT/airlock_test"
export AIRLOCK_TEST_PSQL="$PGBIN/psql"
set +e
"$@"
rc=$?
set -e
exit $rc
