-- A node's execution data moves into its state row: a step wrote two rows in two b-trees (and dirtied two random
-- pages of the log), now it writes one. The data columns come last so that reading a state's fields stays on the
-- row's first page. NULL inputs: no data recorded yet.
ALTER TABLE states ADD COLUMN inputs TEXT;
ALTER TABLE states ADD COLUMN outputs TEXT;
UPDATE states SET inputs = d.inputs, outputs = d.outputs FROM execution_data d WHERE d.node_id = states.node_id;
DROP TABLE execution_data;
