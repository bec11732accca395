using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Exceptions;

/// <summary>Processing a queued task failed; <see cref="Task"/> names it so the worker can retry it later.</summary>
public sealed class TaskFailedException(TaskRecord task, Exception inner)
    : BambooException($"task {task.Id} ({task.Kind} at node {task.NodeId}) failed: {inner.Message}", inner)
{
    public TaskRecord Task { get; } = task;
}
