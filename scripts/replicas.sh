#!/usr/bin/env bash
# Try wangge on PostGIS by hand: starts a throwaway PostgreSQL cluster (Debian's postgresql and
# postgresql-postgis packages), loads the default district into it and runs two read replicas.
#
#   scripts/replicas.sh [PORT_A] [PORT_B]   # default 8081 8082; Ctrl-C stops everything
#   scripts/replicas.sh --check             # the same on free ports: waits for both, writes a
#                                           # component by SQL, checks both replicas show it, stops
#
# WANGGE_STORE=postgres://… uses that database, as it is, instead of a throwaway cluster with the
# default district. Nothing is left behind: the cluster lives in a temporary folder removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=0
if [ "${1:-}" = "--check" ]; then CHECK=1; shift; fi
PORT_A=${1:-8081}
PORT_B=${2:-8082}
if [ "$CHECK" = 1 ]; then PORT_A=0; PORT_B=0; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wangge-replicas-XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${PGDATA_DIR:-}" ]; then as_cluster_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# root may not run PostgreSQL: the cluster then belongs to the postgres user
as_cluster_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -z "${WANGGE_STORE:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PG_BIN" ]; then echo "no PostgreSQL server found: apt-get install postgresql postgresql-postgis" >&2; exit 1; fi
  PGDATA_DIR="$WORK/pgdata"
  mkdir -p "$PGDATA_DIR"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$WORK"; fi
  as_cluster_owner "$PG_BIN/initdb" -D "$PGDATA_DIR" -U wangge --auth=trust >/dev/null
  PG_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  as_cluster_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/postgres.log" -w \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
  as_cluster_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U wangge wangge
  WANGGE_STORE="postgres://wangge@127.0.0.1:$PG_PORT/wangge"
fi
export WANGGE_STORE

# the throwaway cluster gets the default district; a database you name is used as it is (never
# replaced: `generate --force` there would drop your district)
if [ -n "${PGDATA_DIR:-}" ]; then node bin/wangge.js generate --store "$WANGGE_STORE"; fi

start_replica() { # $1 port, $2 log file
  node bin/wangge.js serve --store "$WANGGE_STORE" --host 127.0.0.1 --port "$1" 2>"$2" &
  PIDS+=($!)
}
start_replica "$PORT_A" "$WORK/a.log"
start_replica "$PORT_B" "$WORK/b.log"

url_of() { # the URL a replica logs once it listens
  for _ in $(seq 240); do
    url=$(grep -o '"url":"http://[^"]*"' "$1" 2>/dev/null | head -1 | cut -d'"' -f4) && [ -n "$url" ] && echo "$url" && return 0
    sleep 0.5
  done
  echo "replica did not start; its log:" >&2
  cat "$1" >&2
  return 1
}
URL_A=$(url_of "$WORK/a.log")
URL_B=$(url_of "$WORK/b.log")
echo "replicas of $WANGGE_STORE: $URL_A $URL_B"

if [ "$CHECK" = 0 ]; then
  echo "Ctrl-C stops both replicas and the database"
  wait
  exit 0
fi

# a component written in the database, as a GIS user would, shows on both replicas
CODE=1101010402999999
node --input-type=module -e "
  import postgres from 'postgres';
  const sql = postgres(process.env.WANGGE_STORE, { onnotice: () => {} });
  await sql\`INSERT INTO components (code, major, minor, name, status, dept_main, initial_date, geometry, min_x, min_y, max_x, max_y)
    VALUES ('$CODE', '04', '02', 'replicas.sh', '完好', '东城区城管委', '2026-12-07', ST_SetSRID(ST_MakePoint(116.41, 39.91), 4326), 116.41, 39.91, 116.41, 39.91)\`;
  await sql.end();"
for url in "$URL_A" "$URL_B"; do
  for attempt in $(seq 50); do
    if [ "$(node -e "fetch('$url/v1/components/$CODE').then(r => console.log(r.status))")" = 200 ]; then break; fi
    if [ "$attempt" = 50 ]; then echo "component $CODE not on $url after 5 s" >&2; exit 1; fi
    sleep 0.1
  done
done
echo "check passed: component $CODE written in PostGIS is on both replicas"
