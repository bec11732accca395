-- Leases were wall-clock instants compared across processes. A worker now registers and beats; others reap it when
-- its beat stands still for its lease on their own monotonic clocks. Tasks are held by a worker's name until it
-- completes, gives back or hands back them, or is reaped. Held tasks of the old scheme go back to the queue.
DROP INDEX IF EXISTS ix_tasks_leased;
ALTER TABLE tasks DROP COLUMN lease_until;
UPDATE tasks SET lease_owner = NULL;
CREATE INDEX ix_tasks_held ON tasks(lease_owner) WHERE lease_owner IS NOT NULL;
CREATE TABLE workers (owner TEXT PRIMARY KEY, beat INTEGER NOT NULL, lease_ms INTEGER NOT NULL, started_at INTEGER NOT NULL) WITHOUT ROWID;
-- A task says what user code it needs next (a component, a variable type, an end event) and which run it serves, so
-- a worker claims only what it can run, and a process can serve chosen runs.
ALTER TABLE tasks ADD COLUMN root_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN requires TEXT;
UPDATE tasks SET root_id = COALESCE((SELECT root_id FROM processes p WHERE p.id = tasks.process_id), '');
-- Due times are measured on the store's clock (StoreClock), which starts at the wall clock's time of this migration,
-- so the due times already stored keep their meaning.
CREATE TABLE store_clock (id INTEGER PRIMARY KEY CHECK (id = 1), now_ms INTEGER NOT NULL);
INSERT INTO store_clock (id, now_ms) VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
