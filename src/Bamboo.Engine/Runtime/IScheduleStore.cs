using System.Text.Json.Nodes;

namespace Bamboo.Engine.Runtime;

/// <summary>Schedule phases of activities, callback payloads, and the histories of replaced attempts.</summary>
public interface IScheduleStore
{
    ValueTask<ScheduleRecord?> GetAsync(long id);

    ValueTask<ScheduleRecord?> GetAsync(string nodeId, string version);

    /// <summary>The node's most recent schedule, whatever its version.</summary>
    ValueTask<ScheduleRecord?> GetLatestAsync(string nodeId);

    ValueTask<long> InsertAsync(ScheduleRecord schedule);

    ValueTask UpdateAsync(ScheduleRecord schedule);

    ValueTask<long> InsertCallbackDataAsync(string nodeId, string version, JsonObject data);

    ValueTask<CallbackDataRecord?> GetCallbackDataAsync(long id);

    ValueTask AddHistoryAsync(HistoryRecord history);

    ValueTask<IReadOnlyList<HistoryRecord>> GetHistoriesAsync(string nodeId, int loop = -1);
}
