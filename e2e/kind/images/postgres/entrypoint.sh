#!/bin/bash
# Starts PostgreSQL; on an empty $PGDATA first makes a cluster whose superuser is $POSTGRES_USER with
# the password $POSTGRES_PASSWORD, and one database per name in $POSTGRES_DATABASES owned by it (the
# e2e's database-per-service: run.sh's DATABASE_URLs are postgres://moocflix:…@postgres:5432/<service>).
# $PGDATA is a subdirectory of the mounted emptyDir: initdb needs a directory it owns with mode 0700,
# and the emptyDir's own root belongs to root (group fsGroup).
set -euo pipefail
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (the Secret postgres, key password)}"

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # scram for every TCP client; the socket (only the readiness probe and this script) trusts local users.
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  # Single-user mode: no server (and no port open) until the databases exist, so the readiness probe
  # cannot pass on a half-made cluster. One statement per line: CREATE DATABASE runs outside a transaction.
  for database in $POSTGRES_DATABASES; do
    echo "CREATE DATABASE \"$database\" OWNER \"$POSTGRES_USER\";"
  done | postgres --single -D "$PGDATA" postgres >/dev/null
  echo "postgres: initialized $PGDATA with databases: $POSTGRES_DATABASES"
fi

# Sized for a 2-core e2e node: five services' pools plus the operator fit in 200 connections; logs to
# stderr (kubectl logs). exec: postgres gets SIGTERM itself and shuts down cleanly.
exec postgres -D "$PGDATA" -c listen_addresses='*' -c max_connections=200 -c shared_buffers=64MB \
  -c unix_socket_directories=/var/run/postgresql -c logging_collector=off
