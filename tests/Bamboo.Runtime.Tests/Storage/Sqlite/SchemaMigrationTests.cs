using System.Globalization;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>
/// Schema scripts run once each, in order, tracked by the file's user_version. Older stores are made here by running
/// the store's own scripts up to their version, then filled with rows of that version's shape.
/// </summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private const int CurrentVersion = 7;

    private readonly TempDatabase _db = new("schema");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20000));

    public void Dispose() => _db.Dispose();

    /// <summary>Makes the file what the store's scripts up to <paramref name="version"/> made.</summary>
    private void CreateAtVersion(int version)
    {
        var assembly = typeof(SqliteStore).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[(name.IndexOf(".Schema.", StringComparison.Ordinal) + ".Schema.".Length)..];
            if (int.Parse(file[..4], CultureInfo.InvariantCulture) > version)
            {
                break;
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            _db.Execute(reader.ReadToEnd());
        }

        _db.Execute($"PRAGMA user_version = {version};");
    }

    [Fact]
    public async Task OpenStore_StoreOfTheFirstSchema_IsMigratedAndKeepsItsRows()
    {
        CreateAtVersion(1);
        _db.Execute("""
            INSERT INTO processes VALUES (7, 'root', -1, '', 'act', '["root"]', 1, 0, '', 0, -1, 0, 1, 100, '');
            INSERT INTO execution_data VALUES ('act', '{"x":1}', '{"y":2}');
            INSERT INTO nodes (node_id, root_id) VALUES ('root', 'root'), ('act', 'root');
            INSERT INTO states (node_id, root_id, parent_id, name, version, loop, inner_loop, retry, skip, error_ignored, created_time)
              VALUES ('root', 'root', '', 'RUNNING', 'v1', 1, 1, 0, 0, 0, 1), ('act', 'root', 'root', 'FINISHED', 'v2', 1, 1, 0, 0, 0, 2);
            """);

        await using (var sut = _db.OpenStore(_time))
        {
            var (states, data, rootData, asleep) = await sut.ReadAsync(async tx => (
                await tx.States.GetManyAsync(["root", "act"]),
                await tx.Data.GetExecutionDataAsync("act"),
                await tx.Data.GetExecutionDataAsync("root"),
                await tx.Processes.GetAtAsync("act", asleep: true, dead: false)));
            Assert.Equal(["act", "root"], states.Select(s => s.NodeId).Order(StringComparer.Ordinal));
            Assert.Equal("""{"x":1}""", data!.Inputs.ToJsonString());
            Assert.Equal("""{"y":2}""", data.Outputs.ToJsonString());
            Assert.Null(rootData);
            Assert.Equal([7L], asleep.Select(p => p.Id));
            // Ids go on from the migrated rows.
            Assert.Equal(8L, await sut.WriteAsync(async tx => await tx.Processes.InsertAsync((await tx.Processes.GetAsync(7)) with { Id = 0 })));
        }

        Assert.Equal((long)CurrentVersion, _db.Scalar("PRAGMA user_version"));
        Assert.Equal(0L, _db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('execution_data', 'ix_tasks_due', 'ix_states_root_parent', 'ix_nodes_root')"));
        Assert.Equal(["ix_processes_root"], _db.Strings("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'processes'"));
    }

    [Fact]
    public async Task OpenStore_StoreWithTasksUnderWallClockLeases_ReleasesThemAndKeepsTheirDueTimes()
    {
        CreateAtVersion(5);
        // Before version 6 due times and leases were wall-clock instants.
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        _db.Execute($"""
            INSERT INTO processes VALUES (7, 'root', -1, '', 'act', '["root"]', 0, 0, '', 0, -1, 0, 1, 100, '');
            INSERT INTO tasks (id, kind, process_id, node_id, schedule_id, callback_id, version, due_at, lease_owner, lease_until, attempts) VALUES
              (1, 1, 7, 'held', NULL, NULL, 'v1', {now - 60_000}, 'old-worker', {now + 30_000}, 1),
              (2, 2, 7, 'later', 4, 5, NULL, {now + 3_600_000}, NULL, NULL, 0),
              (3, 1, 99, 'orphan', NULL, NULL, NULL, {now - 1_000}, NULL, NULL, 0);
            """);

        await using var sut = _db.OpenStore(_time);

        var tasks = await sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root"));
        Assert.Equal(
            [(1L, "held", "v1", (string?)null, (long?)null, 1), (2L, "later", null, null, 4L, 0)],
            tasks.Select(t => (t.Id, t.NodeId, t.Version, t.LeaseOwner, t.ScheduleId, t.Attempts)));
        Assert.All(tasks, t => Assert.Null(t.Requires));
        // The store's clock starts at the wall clock's time of the migration: due tasks are due, later ones wait.
        var claimed = new List<string>();
        while (await sut.WriteAsync(tx => tx.Tasks.ClaimAsync("new-worker", WorkFilter.Any)) is { } task)
        {
            claimed.Add($"{task.RootId}/{task.NodeId}");
        }

        Assert.Equal(["root/held", "/orphan"], claimed);
        var dueIn = await sut.NextDueInAsync(WorkFilter.Any);
        Assert.InRange(dueIn!.Value, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
        Assert.Empty(await sut.Workers.ListAsync());
        Assert.Equal(4L, await sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 7, "next"))));
        Assert.Equal((long)CurrentVersion, _db.Scalar("PRAGMA user_version"));
        Assert.Equal(0L, _db.Scalar("SELECT COUNT(*) FROM pragma_table_info('tasks') WHERE name = 'lease_until'"));
    }

    [Fact]
    public async Task OpenStore_CurrentStore_RunsNoScriptAgain()
    {
        await using (_db.OpenStore(_time))
        {
        }

        // A script that ran again would recreate these indexes (0005 and 0006 create them).
        _db.Execute("DROP INDEX ix_processes_root; DROP INDEX ix_tasks_held;");
        await using (_db.OpenStore(_time))
        {
        }

        Assert.Equal(0L, _db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('ix_processes_root', 'ix_tasks_held')"));
    }
}
