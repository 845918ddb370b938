#!/usr/bin/env bash
# audit_cli_test.sh again, against a PostgreSQL server that
# scripts/with-postgres.sh starts (as the postgres user when run as root)
# and stops: two writers share one trail there, each with its own chain.
SRC=${AIRLOCK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec bash "$SRC/scripts/with-postgres.sh" bash "$(dirname "$0")/audit_cli_test.sh" "$@"
