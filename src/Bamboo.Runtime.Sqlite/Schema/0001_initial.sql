-- Small text-keyed tables are WITHOUT ROWID: one b-tree per table instead of a table plus its key index.
-- runs keeps its rowid because its rows (whole trees) are large.
CREATE TABLE IF NOT EXISTS runs (root_id TEXT PRIMARY KEY, tree TEXT NOT NULL, cycle_tolerate INTEGER NOT NULL, root_data TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (node_id TEXT PRIMARY KEY, root_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS states (
  node_id TEXT PRIMARY KEY, root_id TEXT NOT NULL, parent_id TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  loop INTEGER NOT NULL, inner_loop INTEGER NOT NULL, retry INTEGER NOT NULL, skip INTEGER NOT NULL, error_ignored INTEGER NOT NULL,
  created_time INTEGER NOT NULL, started_time INTEGER, archived_time INTEGER) WITHOUT ROWID;
-- One index serves both lookups (by run, and by run + parent): each state write touches one b-tree less.
CREATE INDEX IF NOT EXISTS ix_states_root_parent ON states(root_id, parent_id);
CREATE TABLE IF NOT EXISTS processes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, root_id TEXT NOT NULL, parent_id INTEGER NOT NULL, destination_id TEXT NOT NULL,
  current_node_id TEXT NOT NULL, stack TEXT NOT NULL, asleep INTEGER NOT NULL, suspended INTEGER NOT NULL, suspended_by TEXT NOT NULL,
  dead INTEGER NOT NULL, need_ack INTEGER NOT NULL, ack_num INTEGER NOT NULL, heartbeat INTEGER NOT NULL, priority INTEGER NOT NULL, queue TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_processes_node ON processes(current_node_id);
CREATE INDEX IF NOT EXISTS ix_processes_suspended ON processes(suspended_by);
CREATE INDEX IF NOT EXISTS ix_processes_parent ON processes(parent_id);
CREATE TABLE IF NOT EXISTS raw_inputs (node_id TEXT PRIMARY KEY, inputs TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS execution_data (node_id TEXT PRIMARY KEY, inputs TEXT NOT NULL, outputs TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS context_values (
  pipeline_id TEXT NOT NULL, key TEXT NOT NULL, type INTEGER NOT NULL, value TEXT, code TEXT NOT NULL, refs TEXT NOT NULL,
  PRIMARY KEY (pipeline_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER NOT NULL, process_id INTEGER NOT NULL, node_id TEXT NOT NULL, version TEXT NOT NULL,
  finished INTEGER NOT NULL, expired INTEGER NOT NULL, scheduling INTEGER NOT NULL, lock_owner INTEGER, times INTEGER NOT NULL,
  UNIQUE (node_id, version));
CREATE TABLE IF NOT EXISTS callback_data (id INTEGER PRIMARY KEY AUTOINCREMENT, node_id TEXT NOT NULL, version TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS histories (
  id INTEGER PRIMARY KEY AUTOINCREMENT, node_id TEXT NOT NULL, loop INTEGER NOT NULL, retry INTEGER NOT NULL, skip INTEGER NOT NULL,
  version TEXT NOT NULL, started_time INTEGER, archived_time INTEGER, inputs TEXT NOT NULL, outputs TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_histories_node ON histories(node_id, loop);
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL, process_id INTEGER NOT NULL, node_id TEXT NOT NULL,
  schedule_id INTEGER, callback_id INTEGER, version TEXT, due_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER, attempts INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ix_tasks_due ON tasks(due_at);
