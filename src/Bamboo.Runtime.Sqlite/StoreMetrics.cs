using System.Diagnostics.Metrics;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// What the store's single writer does, as System.Diagnostics.Metrics instruments (meter "Bamboo.Runtime.Sqlite"):
/// how many transactions committed, in how many commits, how long the write lock was held and how much of that
/// was the commit itself. Operators read them
/// with dotnet-counters or OpenTelemetry; the bench runner reads them to see the writer's load.
/// </summary>
public static class StoreMetrics
{
    public const string MeterName = "Bamboo.Runtime.Sqlite";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Transactions = Meter.CreateCounter<long>("bamboo.store.transactions", description: "Transactions committed (each caller's work, one step or API call)");

    private static readonly Counter<long> Commits = Meter.CreateCounter<long>("bamboo.store.commits", description: "SQLite commits; a group commit carries several transactions");

    private static readonly Histogram<double> WriteLockHeld = Meter.CreateHistogram<double>("bamboo.store.write_lock.duration", unit: "ms", description: "Time from BEGIN to COMMIT of each commit");

    private static readonly Histogram<double> CommitTime = Meter.CreateHistogram<double>("bamboo.store.commit.duration", unit: "ms", description: "Time of the COMMIT alone: writing the transaction's pages to the log");

    internal static void Committed(int transactions, TimeSpan held, TimeSpan commit)
    {
        Transactions.Add(transactions);
        Commits.Add(1);
        WriteLockHeld.Record(held.TotalMilliseconds);
        CommitTime.Record(commit.TotalMilliseconds);
    }
}
