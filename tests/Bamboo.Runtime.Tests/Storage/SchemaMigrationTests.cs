namespace Bamboo.Runtime.Tests.Storage;

/// <summary>Schema scripts run once each, in order, tracked by the file's user_version.</summary>
public sealed class SchemaMigrationTests
{
    [Fact]
    public async Task A_store_from_the_first_schema_is_migrated_and_keeps_its_rows()
    {
        using var db = new TempDatabase("schema");
        await using (db.OpenRuntime())
        {
        }

        // Turn the file back into what the first schema made, with a run in it.
        db.Execute("""
            CREATE INDEX ix_states_root_parent ON states(root_id, parent_id);
            DROP TABLE processes;
            CREATE TABLE processes (
              id INTEGER PRIMARY KEY AUTOINCREMENT, root_id TEXT NOT NULL, parent_id INTEGER NOT NULL, destination_id TEXT NOT NULL,
              current_node_id TEXT NOT NULL, stack TEXT NOT NULL, asleep INTEGER NOT NULL, suspended INTEGER NOT NULL, suspended_by TEXT NOT NULL,
              dead INTEGER NOT NULL, need_ack INTEGER NOT NULL, ack_num INTEGER NOT NULL, heartbeat INTEGER NOT NULL, priority INTEGER NOT NULL, queue TEXT NOT NULL);
            CREATE INDEX ix_processes_node ON processes(current_node_id);
            CREATE INDEX ix_processes_suspended ON processes(suspended_by);
            CREATE INDEX ix_processes_parent ON processes(parent_id);
            INSERT INTO processes VALUES (7, 'root', -1, '', 'act', '["root"]', 1, 0, '', 0, -1, 0, 1, 100, '');
            CREATE INDEX ix_tasks_due ON tasks(due_at);
            ALTER TABLE states DROP COLUMN inputs;
            ALTER TABLE states DROP COLUMN outputs;
            CREATE TABLE execution_data (node_id TEXT PRIMARY KEY, inputs TEXT NOT NULL, outputs TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO execution_data VALUES ('act', '{"x":1}', '{"y":2}');
            INSERT INTO nodes (node_id, root_id) VALUES ('root', 'root'), ('act', 'root');
            INSERT INTO states (node_id, root_id, parent_id, name, version, loop, inner_loop, retry, skip, error_ignored, created_time)
              VALUES ('root', 'root', '', 'RUNNING', 'v1', 1, 1, 0, 0, 0, 1), ('act', 'root', 'root', 'FINISHED', 'v2', 1, 1, 0, 0, 0, 2);
            PRAGMA user_version = 1;
            """);

        await using (var runtime = db.OpenRuntime())
        {
            var states = await runtime.ReadAsync(tx => tx.GetStates(["root", "act"]));
            Assert.Equal(["act", "root"], states.Select(s => s.NodeId).Order());
            var data = await runtime.ReadAsync(tx => tx.GetExecutionData("act"));
            Assert.Equal("""{"x":1}""", data!.Inputs.ToJsonString());
            Assert.Equal("""{"y":2}""", data.Outputs.ToJsonString());
            Assert.Null(await runtime.ReadAsync(tx => tx.GetExecutionData("root")));
            Assert.Equal([7L], (await runtime.ReadAsync(tx => tx.GetProcessesAt("act", asleep: true, dead: false))).Select(p => p.Id));
            // Ids go on from the migrated rows.
            Assert.Equal(8L, await runtime.TransactAsync(tx => tx.InsertProcess(tx.GetProcess(7) with { Id = 0 })));
        }

        Assert.Equal(5L, db.Scalar("PRAGMA user_version"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'execution_data'"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_tasks_due'"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_states_root_parent'"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_nodes_root'"));
        Assert.Equal(["ix_processes_root"], db.Strings("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'processes'"));
    }

    [Fact]
    public async Task Opening_a_current_store_runs_no_script_again()
    {
        using var db = new TempDatabase("schema");
        await using (db.OpenRuntime())
        {
        }

        // A script that ran again would recreate this index (0005 rebuilds the table with it).
        db.Execute("DROP INDEX ix_processes_root;");
        await using (db.OpenRuntime())
        {
        }

        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_processes_root'"));
    }
}
