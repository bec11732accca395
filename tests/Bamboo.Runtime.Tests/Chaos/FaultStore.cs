using System.Data.Common;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>
/// The fault-injection seam: a decorator of the engine's storage port (<see cref="IEngineStore"/> and every store of
/// its transactions) that names each logical storage operation a step performs, records them per write transaction,
/// and can fail one of them or "kill the process" there. It lives in the tests only, so the product pays nothing for
/// it, and it sits above the relational layer, so SQLite and PostgreSQL get the same seam without a line of dialect
/// code. Faults:
/// <list type="bullet">
/// <item><see cref="FaultMode.FailBefore"/>: the operation throws a store error (<see cref="InjectedFault"/>, a
/// <see cref="DbException"/>) before it reaches the store: nothing of it was written.</item>
/// <item><see cref="FaultMode.FailAfter"/>: the operation runs inside the transaction, then throws: its write was made
/// (on PostgreSQL perhaps still held for the next round trip) and is rolled back with the transaction.</item>
/// <item><see cref="FaultMode.Kill"/>: the process dies after the operation ran: from then on every call of this
/// store throws <see cref="ProcessKilledException"/>, nothing it has open commits, its worker stops beating.</item>
/// <item><see cref="FaultMode.KillAfterCommit"/>: the transaction commits, and the process dies before the engine
/// learns it did.</item>
/// </list>
/// </summary>
internal sealed class FaultStore(IEngineStore inner, FaultPlan? plan = null) : IEngineStore
{
    private readonly Lock _lock = new();
    private int _transactions;
    private volatile bool _killed;

    /// <summary>The write transactions this store ran (committed or not), in the order they began.</summary>
    public List<TransactionLog> Log { get; } = [];

    public FaultPlan? Plan { get; } = plan;

    /// <summary>
    /// Asked before each operation of a write transaction; the exception it returns is thrown there, every time it
    /// returns one (unlike <see cref="Plan"/>, which fires once): a step the engine cannot get through.
    /// </summary>
    public Func<TransactionLog, OpRecord, Exception?>? Poison { get; init; }

    public bool Killed => _killed;

    /// <summary>Completes when the planned fault fired.</summary>
    public TaskCompletionSource Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IWorkerRegistry Workers => new DeadAware(this, inner.Workers);

    public async Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default)
    {
        ThrowIfKilled();
        TransactionLog log;
        lock (_lock)
        {
            log = new TransactionLog(_transactions++);
            Log.Add(log);
        }

        var result = await inner.WriteAsync(async tx =>
        {
            var value = await work(new FaultTransaction(this, tx, log)).ConfigureAwait(false);
            // A process that died while the work ran never commits it.
            ThrowIfKilled();
            return value;
        }, cancellationToken).ConfigureAwait(false);
        log.Committed = true;
        lock (_lock)
        {
            // A claim that found nothing gives its number back: how often a waiting worker polls depends on timing, and
            // the planned fault must land on the same step in every run.
            if (log.IsEmptyClaim && _transactions == log.Ordinal + 1)
            {
                _transactions--;
                Log.Remove(log);
                return result;
            }
        }

        if (Plan is { Mode: FaultMode.KillAfterCommit } p && p.Transaction == log.Ordinal && Fire())
        {
            Die();
        }

        ThrowIfKilled();
        return result;
    }

    public Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default)
    {
        ThrowIfKilled();
        return inner.ReadAsync(tx => work(new FaultTransaction(this, tx, null)), cancellationToken);
    }

    public Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default)
    {
        ThrowIfKilled();
        return inner.NextDueInAsync(filter, cancellationToken);
    }

    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfKilled();
        return inner.WaitForWorkAsync(timeout, cancellationToken);
    }

    /// <summary>Runs one named operation of a transaction, injecting the planned fault when this is its place.</summary>
    internal async ValueTask<T> OpAsync<T>(TransactionLog? log, string name, string? subject, Func<ValueTask<T>> call, Func<T, string?>? subjectOf = null)
    {
        ThrowIfKilled();
        var index = -1;
        var op = new OpRecord(name, subject);
        if (log is not null)
        {
            lock (_lock)
            {
                index = log.Ops.Count;
                log.Ops.Add(op);
            }
        }

        if (log is not null && Poison?.Invoke(log, op) is { } poison)
        {
            throw poison;
        }

        var target = log is not null && Plan is { } p && p.Transaction == log.Ordinal && p.Op == index ? p.Mode : (FaultMode?)null;
        if (target == FaultMode.FailBefore && Fire())
        {
            throw new InjectedFault($"injected before {name} (transaction {log!.Ordinal}, operation {index})");
        }

        var result = await call().ConfigureAwait(false);
        if (log is not null && subjectOf?.Invoke(result) is { } found)
        {
            lock (_lock)
            {
                log.Ops[index] = log.Ops[index] with { Subject = found };
            }
        }

        if (target == FaultMode.FailAfter && Fire())
        {
            throw new InjectedFault($"injected after {name} (transaction {log!.Ordinal}, operation {index})");
        }

        if (target == FaultMode.Kill && Fire())
        {
            Die();
        }

        ThrowIfKilled();
        return result;
    }

    internal ValueTask OpAsync(TransactionLog? log, string name, string? subject, Func<ValueTask> call) =>
        new(OpAsync(log, name, subject, async () =>
        {
            await call().ConfigureAwait(false);
            return 0;
        }).AsTask());

    private bool Fire()
    {
        // One fault per run: a retried step must get through.
        return Fired.TrySetResult();
    }

    private void Die() => _killed = true;

    private void ThrowIfKilled()
    {
        if (_killed)
        {
            throw new ProcessKilledException();
        }
    }

    /// <summary>The worker registry, dead with its process.</summary>
    private sealed class DeadAware(FaultStore store, IWorkerRegistry inner) : IWorkerRegistry
    {
        public Task RegisterAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default)
        {
            store.ThrowIfKilled();
            return inner.RegisterAsync(owner, lease, cancellationToken);
        }

        public async Task<bool> HeartbeatAsync(string owner, CancellationToken cancellationToken = default)
        {
            store.ThrowIfKilled();
            var alive = await inner.HeartbeatAsync(owner, cancellationToken).ConfigureAwait(false);
            store.ThrowIfKilled();
            return alive;
        }

        public Task<IReadOnlyList<WorkerBeat>> ListAsync(CancellationToken cancellationToken = default)
        {
            store.ThrowIfKilled();
            return inner.ListAsync(cancellationToken);
        }

        public Task<int> ReapAsync(string owner, long beat, CancellationToken cancellationToken = default)
        {
            store.ThrowIfKilled();
            return inner.ReapAsync(owner, beat, cancellationToken);
        }

        public Task<int> CountHeldByOthersAsync(string owner, CancellationToken cancellationToken = default)
        {
            store.ThrowIfKilled();
            return inner.CountHeldByOthersAsync(owner, cancellationToken);
        }

        public Task<HandBack> HandBackAsync(string owner, CancellationToken cancellationToken = default)
        {
            store.ThrowIfKilled();
            return inner.HandBackAsync(owner, cancellationToken);
        }
    }
}

/// <summary>Where and how to fail: the operation at index <see cref="Op"/> of the write transaction numbered <see cref="Transaction"/>.</summary>
internal sealed record FaultPlan(int Transaction, int Op, FaultMode Mode)
{
    public override string ToString() => Mode == FaultMode.KillAfterCommit ? $"{Mode} tx{Transaction}" : $"{Mode} tx{Transaction}#{Op}";
}

internal enum FaultMode
{
    FailBefore,
    FailAfter,
    Kill,
    KillAfterCommit,
}

/// <summary>One named storage operation and the node (or pipeline) it concerns.</summary>
internal sealed record OpRecord(string Name, string? Subject);

/// <summary>The operations of one write transaction, in order.</summary>
internal sealed class TransactionLog(int ordinal)
{
    public int Ordinal { get; } = ordinal;

    public List<OpRecord> Ops { get; } = [];

    public bool Committed { get; set; }

    /// <summary>A committed transaction that only looked for a task and found none.</summary>
    public bool IsEmptyClaim => Committed && Ops is [{ Name: "tasks.claim", Subject: null }];

    public override string ToString() => $"tx{Ordinal}{(Committed ? "" : " (rolled back)")}: " + string.Join(", ", Ops.Select(o => o.Name));
}

/// <summary>The store error a fault raises: the engine must take it as the store failing, nothing more.</summary>
internal sealed class InjectedFault(string message) : DbException(message);

/// <summary>What every call of a store whose process was "killed" throws.</summary>
internal sealed class ProcessKilledException() : Exception("the process was killed here (fault injection)");
