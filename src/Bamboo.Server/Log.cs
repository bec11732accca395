using Microsoft.Extensions.Logging;

namespace Bamboo.Server;

/// <summary>Every log message of the server; event ids 5000–5099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    /// <summary>An Engine API call that the engine refused: its trace stays here, the caller gets the message.</summary>
    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "{Function} refused: {Reason}")]
    public static partial void EngineRefused(ILogger logger, Exception exception, string function, string reason);

    /// <summary>An Engine API call that failed for a reason other than the engine's rules (the store, a bug).</summary>
    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "{Function} failed: {Reason}")]
    public static partial void EngineFailed(ILogger logger, Exception exception, string function, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "The store is not ready")]
    public static partial void NotReady(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Bamboo server on {Store}; workers: {Workers}; access: {Access}")]
    public static partial void Started(ILogger logger, string store, bool workers, string access);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "Event stream of {PipelineId} ended: {End}")]
    public static partial void StreamEnded(ILogger logger, string pipelineId, Bamboo.Engine.Client.PipelineEnd end);
}
