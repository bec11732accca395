-- Every process update rewrote three index entries (current node, suspended-by, parent) whatever changed, and every
-- run paid a second random b-tree insert per node for ix_nodes_root. Processes are now indexed by run alone: root_id
-- never changes after the insert, so updates touch no index, and a run's processes sit together. Operator lookups
-- (processes at a node, suspended by a pipeline, children) scan one run's processes; a run's states are read by the
-- node ids of its tree. Process ids come from the rowid: processes are never deleted, so AUTOINCREMENT's extra
-- write per insert bought nothing.
CREATE TABLE processes_new (
  id INTEGER PRIMARY KEY, root_id TEXT NOT NULL, parent_id INTEGER NOT NULL, destination_id TEXT NOT NULL,
  current_node_id TEXT NOT NULL, stack TEXT NOT NULL, asleep INTEGER NOT NULL, suspended INTEGER NOT NULL, suspended_by TEXT NOT NULL,
  dead INTEGER NOT NULL, need_ack INTEGER NOT NULL, ack_num INTEGER NOT NULL, heartbeat INTEGER NOT NULL, priority INTEGER NOT NULL, queue TEXT NOT NULL);
INSERT INTO processes_new SELECT id, root_id, parent_id, destination_id, current_node_id, stack, asleep, suspended, suspended_by,
  dead, need_ack, ack_num, heartbeat, priority, queue FROM processes;
DROP TABLE processes;
ALTER TABLE processes_new RENAME TO processes;
DELETE FROM sqlite_sequence WHERE name = 'processes';
CREATE INDEX ix_processes_root ON processes(root_id);
DROP INDEX IF EXISTS ix_nodes_root;
