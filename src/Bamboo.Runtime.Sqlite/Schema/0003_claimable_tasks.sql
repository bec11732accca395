-- Claiming walked ix_tasks_due past every task already leased (a fan-out of n branches cost n²/2 row visits).
-- Unleased tasks and leased ones now have an index each, so a claim finds its task in one probe.
DROP INDEX IF EXISTS ix_tasks_due;
CREATE INDEX IF NOT EXISTS ix_tasks_claimable ON tasks(due_at, id) WHERE lease_owner IS NULL;
CREATE INDEX IF NOT EXISTS ix_tasks_leased ON tasks(lease_until) WHERE lease_owner IS NOT NULL;
