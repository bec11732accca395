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
            DROP INDEX ix_nodes_root;
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
            var states = await runtime.ReadAsync(tx => tx.GetStatesByRoot("root"));
            Assert.Equal(["root", "act"], states.Select(s => s.NodeId));
            Assert.Equal(["act"], (await runtime.ReadAsync(tx => tx.GetStatesByParent("root", "root"))).Select(s => s.NodeId));
            var data = await runtime.ReadAsync(tx => tx.GetExecutionData("act"));
            Assert.Equal("""{"x":1}""", data!.Inputs.ToJsonString());
            Assert.Equal("""{"y":2}""", data.Outputs.ToJsonString());
            Assert.Null(await runtime.ReadAsync(tx => tx.GetExecutionData("root")));
        }

        Assert.Equal(4L, db.Scalar("PRAGMA user_version"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'execution_data'"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_tasks_due'"));
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_states_root_parent'"));
        Assert.Equal(1L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_nodes_root'"));
    }

    [Fact]
    public async Task Opening_a_current_store_runs_no_script_again()
    {
        using var db = new TempDatabase("schema");
        await using (db.OpenRuntime())
        {
        }

        // A script that ran again would recreate this index from 0001 (CREATE INDEX IF NOT EXISTS).
        db.Execute("DROP INDEX ix_processes_node;");
        await using (db.OpenRuntime())
        {
        }

        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_processes_node'"));
    }
}
