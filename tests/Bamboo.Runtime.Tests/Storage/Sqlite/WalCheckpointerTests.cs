using Bamboo.Engine.Building;
using Bamboo.Engine.Execution;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>
/// The writer no longer checkpoints at SQLite's default 1000 pages; a background connection copies the WAL into
/// the database file instead. These tests read the database file alone (immutable=1 ignores the WAL).
/// </summary>
public sealed class WalCheckpointerTests
{
    [Fact]
    public async Task Checkpointer_StepsCommittedWhileTheStoreIsOpen_ReachTheDatabaseFile()
    {
        await using var harness = new EngineHarness();
        var start = new EmptyStartEvent();
        Element tail = start;
        for (var i = 0; i < 300; i++)
        {
            tail = tail.Extend(new ServiceActivity("empty_node"));
        }

        tail.Extend(new EmptyEndEvent());
        var pipeline = PipelineBuilder.BuildTree(start);

        await harness.StartAsync(pipeline);
        await harness.WaitStateAsync(pipeline.Id, NodeState.Finished);

        // 300 steps are far below the writer's own checkpoint limit, so rows in the file came from the checkpointer.
        await WaitUntil.TrueAsync(() => Task.FromResult(StatesInFile(harness.DatabasePath) > 100), TimeSpan.FromSeconds(20), "the checkpointer to copy states into the database file");
    }

    [Fact]
    public async Task DisposeAsync_OpenStore_LeavesEverythingInTheDatabaseFile()
    {
        using var db = new TempDatabase("checkpoint");
        var (pipeline, act) = EngineHarness.OneActivity("empty_node");

        await using (var harness = new EngineHarness(databasePath: db.Path))
        {
            await harness.StartAsync(pipeline);
            await harness.WaitStateAsync(pipeline.Id, NodeState.Finished);
        }

        Assert.False(File.Exists(db.Path + "-wal") && new FileInfo(db.Path + "-wal").Length > 0, "the WAL should be checkpointed and removed on close");
        Assert.Equal(NodeState.Finished, ScalarInFile(db.Path, $"SELECT name FROM states WHERE node_id = '{act}'"));
    }

    private static long StatesInFile(string path) => Convert.ToInt64(ScalarInFile(path, "SELECT COUNT(*) FROM states"), System.Globalization.CultureInfo.InvariantCulture);

    private static object? ScalarInFile(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source=file:{path}?immutable=1;Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        try
        {
            return cmd.ExecuteScalar();
        }
        catch (SqliteException)
        {
            return null; // The table is not in the file yet.
        }
    }
}
