-- Every new state paid for a second b-tree insert into ix_states_root_parent, on the hot path of every step.
-- The states of a run are found through the nodes table instead (written once per run), and the states of a
-- subprocess by the node ids the engine knows from the tree.
DROP INDEX IF EXISTS ix_states_root_parent;
CREATE INDEX IF NOT EXISTS ix_nodes_root ON nodes(root_id);
