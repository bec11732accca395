using System.Diagnostics;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// A store on a small tmpfs that fills up: every caller gets the real error at once, nothing is half-applied, the CLI
/// says so in one line, and once space is freed the worker finishes every pipeline that was accepted. Needs root to
/// mount the tmpfs (CI runs as root).
/// </summary>
[Trait("Category", "Slow")]
public sealed class StoreFullTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("bamboo-full-").FullName;
    private bool _mounted;

    private string Db => Path.Combine(_mount, "store.db");

    private string Filler => Path.Combine(_mount, "filler");

    public async ValueTask InitializeAsync()
    {
        using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", _mount]);
        await mount.WaitForExitAsync();
        _mounted = mount.ExitCode == 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_mounted)
        {
            using var umount = Process.Start("umount", ["-l", _mount]);
            await umount.WaitForExitAsync();
        }

        Directory.Delete(_mount, recursive: true);
    }

    /// <summary>Takes every free byte of the tmpfs but <paramref name="slack"/>.</summary>
    private void Fill(int slack)
    {
        using var filler = new FileStream(Filler, FileMode.Create);
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                filler.Write(chunk);
                filler.Flush();
            }
        }
        catch (IOException)
        {
            // No space left: now give some back, so the store fills up in the middle of the run.
            filler.SetLength(Math.Max(0, filler.Length - slack));
        }
    }

    [Fact]
    public async Task DiskFull_CallersGetTheErrorAtOnce_AndEverythingFinishesOnceSpaceIsFreed()
    {
        Assert.SkipUnless(_mounted, "mounting a tmpfs needs root");
        // A short lease: the workers stopped below may fail to hand their tasks back on a full disk; the next ones
        // then take them over once that lease has run out.
        var options = new Bamboo.Engine.Runtime.EngineOptions { WorkerCount = 4, TaskLease = TimeSpan.FromSeconds(2) };
        await using var h = new EngineHarness(databasePath: Db, options: options);
        var accepted = new List<Bamboo.Engine.Model.Pipeline>();
        var first = Trees.Sequential(3);
        await h.StartAsync(first);
        accepted.Add(first);
        Fill(slack: 256 * 1024);

        // Pipelines until the store refuses one: each call returns (none hangs), and the refusal names the cause.
        EngineApiResult? refused = null;
        for (var i = 0; i < 2000 && refused is null; i++)
        {
            var pipeline = Trees.Sequential(10);
            var result = await EngineApi.RunPipelineAsync(h.Engine, pipeline).WaitAsync(TimeSpan.FromSeconds(30));
            if (result.Result)
            {
                accepted.Add(pipeline);
            }
            else
            {
                refused = result;
            }
        }

        Assert.NotNull(refused);
        Assert.True(accepted.Count > 1, "the store filled up before any pipeline was accepted");
        Assert.Contains("full", refused.Message, StringComparison.OrdinalIgnoreCase);
        // The CLI alone works on its pipeline (had this process's workers taken its tasks, the failures would be
        // theirs, and the CLI would wait for a run another process drives).
        await h.StopWorkersAsync();
        var trees = Directory.CreateTempSubdirectory("bamboo-full-trees-").FullName;
        using (var cli = CliProcess.Start("run", Trees.WriteTo(Trees.Sequential(2), trees), "--db", Db))
        {
            Assert.Equal(3, await cli.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("store error", cli.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", cli.Output, StringComparison.Ordinal);
        }

        Directory.Delete(trees, recursive: true);
        File.Delete(Filler);
        await using var after = new EngineHarness(databasePath: Db, options: options);
        foreach (var pipeline in accepted)
        {
            await after.WaitStateAsync(pipeline.Id, NodeState.Finished, 60);
        }

        // The CLI's run too, once its worker's lease (30 s) has run out, if it could not hand its task back.
        await after.WaitQueueEmptyAsync(60);
        Assert.Equal("ok", TempDatabase.Text(Db, "PRAGMA integrity_check"));
    }
}
