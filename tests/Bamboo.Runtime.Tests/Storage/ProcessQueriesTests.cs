using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

public sealed class ProcessQueriesTests
{
    [Fact]
    public async Task The_last_child_to_arrive_releases_the_parent_and_resets_its_count()
    {
        using var db = new TempDatabase("process");
        await using var runtime = db.OpenRuntime();
        var (arrivals, after) = await runtime.TransactAsync(tx =>
        {
            var parent = tx.InsertProcess(new ProcessRecord(0, "root", -1, "", "pg", ["root"], true, false, "", false, 3, 0, 1, 0, ""));
            var arrivals = Enumerable.Range(0, 3).Select(_ => (tx.AcknowledgeChild(parent), tx.GetProcess(parent).AckNum)).ToList();
            return (arrivals, tx.GetProcess(parent));
        });

        Assert.Equal([(false, 1), (false, 2), (true, 0)], arrivals);
        Assert.Equal(-1, after.NeedAck);
        await Assert.ThrowsAsync<NotFoundError>(() => runtime.TransactAsync(tx => tx.AcknowledgeChild(999)));
    }
}
