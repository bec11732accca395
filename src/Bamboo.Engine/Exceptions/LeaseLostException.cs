namespace Bamboo.Engine.Exceptions;

/// <summary>A worker tried to move a task it no longer holds (its lease lapsed and another worker took it over).</summary>
public sealed class LeaseLostException(long taskId, string? owner)
    : BambooException($"task {taskId} is no longer leased to {owner ?? "(nobody)"}; its work belongs to another worker now")
{
    public long TaskId { get; } = taskId;
}
