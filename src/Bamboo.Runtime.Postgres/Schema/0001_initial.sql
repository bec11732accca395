-- The same tables as the SQLite store's (after its migrations), in PostgreSQL types: integers are BIGINT, JSON is
-- TEXT, times are UTC unix milliseconds. Due times use the database's clock, so there is no store_clock table.
CREATE TABLE runs (root_id TEXT PRIMARY KEY, tree TEXT NOT NULL, cycle_tolerate BIGINT NOT NULL, root_data TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE nodes (node_id TEXT PRIMARY KEY, root_id TEXT NOT NULL);
CREATE TABLE states (
  node_id TEXT PRIMARY KEY, root_id TEXT NOT NULL, parent_id TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  loop BIGINT NOT NULL, inner_loop BIGINT NOT NULL, retry BIGINT NOT NULL, skip BIGINT NOT NULL, error_ignored BIGINT NOT NULL,
  created_time BIGINT NOT NULL, started_time BIGINT, archived_time BIGINT, inputs TEXT, outputs TEXT);
CREATE TABLE processes (
  id BIGSERIAL PRIMARY KEY, root_id TEXT NOT NULL, parent_id BIGINT NOT NULL, destination_id TEXT NOT NULL,
  current_node_id TEXT NOT NULL, stack TEXT NOT NULL, asleep BIGINT NOT NULL, suspended BIGINT NOT NULL, suspended_by TEXT NOT NULL,
  dead BIGINT NOT NULL, need_ack BIGINT NOT NULL, ack_num BIGINT NOT NULL, heartbeat BIGINT NOT NULL, priority BIGINT NOT NULL, queue TEXT NOT NULL);
CREATE INDEX ix_processes_root ON processes(root_id);
CREATE TABLE raw_inputs (node_id TEXT PRIMARY KEY, inputs TEXT NOT NULL);
CREATE TABLE context_values (
  pipeline_id TEXT NOT NULL, key TEXT NOT NULL, type BIGINT NOT NULL, value TEXT, code TEXT NOT NULL, refs TEXT NOT NULL,
  PRIMARY KEY (pipeline_id, key));
CREATE TABLE schedules (
  id BIGSERIAL PRIMARY KEY, type BIGINT NOT NULL, process_id BIGINT NOT NULL, node_id TEXT NOT NULL, version TEXT NOT NULL,
  finished BIGINT NOT NULL, expired BIGINT NOT NULL, scheduling BIGINT NOT NULL, lock_owner BIGINT, times BIGINT NOT NULL,
  UNIQUE (node_id, version));
CREATE TABLE callback_data (id BIGSERIAL PRIMARY KEY, node_id TEXT NOT NULL, version TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE histories (
  id BIGSERIAL PRIMARY KEY, node_id TEXT NOT NULL, loop BIGINT NOT NULL, retry BIGINT NOT NULL, skip BIGINT NOT NULL,
  version TEXT NOT NULL, started_time BIGINT, archived_time BIGINT, inputs TEXT NOT NULL, outputs TEXT NOT NULL);
CREATE INDEX ix_histories_node ON histories(node_id, loop);
CREATE TABLE tasks (
  id BIGSERIAL PRIMARY KEY, kind BIGINT NOT NULL, root_id TEXT NOT NULL, process_id BIGINT NOT NULL, node_id TEXT NOT NULL,
  schedule_id BIGINT, callback_id BIGINT, version TEXT, requires TEXT, due_at BIGINT NOT NULL, lease_owner TEXT, attempts BIGINT NOT NULL);
CREATE INDEX ix_tasks_claimable ON tasks(due_at, id) WHERE lease_owner IS NULL;
CREATE INDEX ix_tasks_held ON tasks(lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX ix_tasks_root ON tasks(root_id);
CREATE TABLE workers (owner TEXT PRIMARY KEY, beat BIGINT NOT NULL, lease_ms BIGINT NOT NULL, started_at BIGINT NOT NULL);
