-- Runs are listed newest first and searched by id or name: the name is kept beside the tree, and an index orders runs
-- by start (written once per run, never by a step).
ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE runs SET name = COALESCE(json_extract(tree, '$.name'), '');
CREATE INDEX ix_runs_created ON runs(created_at, root_id);
