-- Runs are listed newest first and searched by id or name (as SQLite's 0007).
ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT '';
CREATE INDEX ix_runs_created ON runs(created_at, root_id);
