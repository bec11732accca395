namespace Bamboo.Engine.Runtime;

/// <summary>Everything one engine step reads and writes, split by concern, inside one storage transaction.</summary>
public interface IStoreTransaction
{
    /// <summary>Wall-clock time of the transaction, UTC unix milliseconds, for the times records show.</summary>
    long Now { get; }

    IRunStore Runs { get; }

    IStateStore States { get; }

    IProcessStore Processes { get; }

    IDataStore Data { get; }

    IScheduleStore Schedules { get; }

    ITaskStore Tasks { get; }

    /// <summary>Runs <paramref name="work"/> so that, when it throws, only its own writes are undone; the exception propagates.</summary>
    ValueTask<T> IsolatedAsync<T>(Func<ValueTask<T>> work);
}
