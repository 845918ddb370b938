#!/usr/bin/env bash
# cli_audit_test.sh again, with the config's audit.store on a PostgreSQL
# server that scripts/with-postgres.sh starts and stops: the CLI's chain next
# to a gateway's in one shared trail, the advisory lock, refused commits.
SRC=${AIRLOCK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec bash "$SRC/scripts/with-postgres.sh" bash "$(dirname "$0")/cli_audit_test.sh" "$@"
