#!/bin/sh
# Initialise the cluster on first start (POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB, as the
# official image names them), then run the server in the foreground.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s' "${POSTGRES_PASSWORD:-postgres}" >"$pw"
  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile="$pw" --auth-host=scram-sha-256 --auth-local=trust >/dev/null
  rm -f "$pw"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "${POSTGRES_DB}" != "${POSTGRES_USER:-postgres}" ]; then
    postgres --single -j -D "$PGDATA" postgres <<SQL >/dev/null
CREATE DATABASE "${POSTGRES_DB}";
SQL
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql
