using System.Diagnostics.Metrics;

namespace Bamboo.Runtime.Postgres;

/// <summary>
/// What the store asks of the server, as System.Diagnostics.Metrics instruments (meter "Bamboo.Runtime.Postgres"):
/// callers' works, the write transactions that carried them, the round trips and the statements those carried. A round trip costs far more than the
/// statements in it (two context switches on each side), so round trips per transaction is the number to watch.
/// </summary>
public static class PostgresMetrics
{
    public const string MeterName = "Bamboo.Runtime.Postgres";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Transactions = Meter.CreateCounter<long>("bamboo.store.transactions", description: "Callers' works written (one step or API call each)");

    private static readonly Counter<long> Commits = Meter.CreateCounter<long>("bamboo.store.commits", description: "Write transactions, each carrying one or more callers' works");

    private static readonly Counter<long> RoundTrips = Meter.CreateCounter<long>("bamboo.store.round_trips", description: "Batches sent to the server and answered");

    private static readonly Counter<long> Statements = Meter.CreateCounter<long>("bamboo.store.statements", description: "Statements sent, BEGIN and COMMIT included");

    internal static void Committing(int works)
    {
        Commits.Add(1);
        Transactions.Add(works);
    }

    internal static void RoundTrip(int statements)
    {
        RoundTrips.Add(1);
        Statements.Add(statements);
    }
}
