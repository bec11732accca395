#!/usr/bin/env bash
# The floor under the PostgreSQL store: a service step's statements (the state read, the FINISHED update, the next
# node's RUNNING insert, the task checkpoint, the process update), six steps a transaction as the store's group commit
# makes them, run by pgbench (a C client) on 4 connections, once with a round trip per statement and once pipelined.
# Usage: bench/pgbench/floor.sh [seconds]   (PG* variables or .ci/postgres's defaults name the server)
set -euo pipefail
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"
export PGHOST="${PGHOST:-/tmp}" PGPORT="${PGPORT:-55432}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-postgres}"
seconds="${1:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -qc "DROP SCHEMA IF EXISTS bamboo_floor CASCADE" >/dev/null' EXIT

psql -q -v ON_ERROR_STOP=1 <<SQL
DROP SCHEMA IF EXISTS bamboo_floor CASCADE;
CREATE SCHEMA bamboo_floor;
SET search_path = bamboo_floor;
\i $here/../../src/Bamboo.Runtime.Postgres/Schema/0001_initial.sql
INSERT INTO states SELECT 'n' || g, 'r' || (g / 17), 'r' || (g / 17), 'RUNNING', md5(g::text), 1, 1, 0, 0, 0,
  1700000000000, 1700000000000, NULL, repeat('i', 10), repeat('o', 40) FROM generate_series(1, 200000) g;
INSERT INTO processes (root_id, parent_id, destination_id, current_node_id, stack, asleep, suspended, suspended_by,
  dead, need_ack, ack_num, heartbeat, priority, queue)
  SELECT 'r' || g, -1, '', 'n' || g, '[]', 0, 0, '', 0, -1, 0, 0, 100, '' FROM generate_series(1, 20000) g;
INSERT INTO tasks (kind, root_id, process_id, node_id, due_at, lease_owner, attempts)
  SELECT 0, 'r' || g, g, 'n' || g, 0, 'w1', 1 FROM generate_series(1, 20000) g;
VACUUM ANALYZE;
SQL

# One step, its variables numbered $1 so six steps share a transaction.
step() {
  cat <<SQL
SELECT node_id, root_id, parent_id, name, version, loop, inner_loop, retry, skip, error_ignored, created_time, started_time, archived_time FROM bamboo_floor.states WHERE node_id = 'n' || CAST(:n$1 AS text);
UPDATE bamboo_floor.states SET root_id = 'r1', parent_id = 'r1', name = 'FINISHED', version = md5(CAST(:n$1 AS text)), loop = 1, inner_loop = 1, retry = 0, skip = 0, error_ignored = 0, created_time = 1, started_time = 1, archived_time = 2, inputs = repeat('i', 10), outputs = repeat('o', 40) WHERE node_id = 'n' || CAST(:n$1 AS text);
INSERT INTO bamboo_floor.states VALUES ('x' || CAST(:client_id AS text) || '-' || random()::text, 'r1', 'r1', 'RUNNING', md5(random()::text), 1, 1, 0, 0, 0, 1, 1, NULL, NULL, NULL);
UPDATE bamboo_floor.tasks SET node_id = 'n' || CAST(:n$1 AS text), schedule_id = NULL, callback_id = NULL, version = md5(CAST(:n$1 AS text)), requires = NULL WHERE id = CAST(:p$1 AS bigint) AND lease_owner = 'w1';
UPDATE bamboo_floor.processes SET destination_id = '', current_node_id = 'n' || CAST(:n$1 AS text), stack = '[]', asleep = 0, suspended = 0, suspended_by = '', dead = 0 WHERE id = CAST(:p$1 AS bigint);
SQL
}

script() {
  for i in 1 2 3 4 5 6; do echo "\\set n$i random(1, 200000)"; echo "\\set p$i random(1, 20000)"; done
  [ "$1" = pipelined ] && echo '\startpipeline'
  echo 'BEGIN;'
  for i in 1 2 3 4 5 6; do step "$i"; done
  echo 'COMMIT;'
  [ "$1" = pipelined ] && echo '\endpipeline'
  true
}

for mode in round-trips pipelined; do
  script "$mode" > "$work/$mode.sql"
  tps=$(pgbench -n -M prepared -c 4 -j 2 -T "$seconds" -f "$work/$mode.sql" 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  awk -v m="$mode" -v t="$tps" 'BEGIN { printf "%-12s %8.0f steps/s   1700 steps in %6.1f ms\n", m, t * 6, 1700 / (t * 6) * 1000 }'
done
