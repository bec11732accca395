namespace Bamboo.Engine.Execution;

/// <summary>Names the root pipeline that finished.</summary>
public sealed class PipelineFinishedEventArgs(string rootId) : EventArgs
{
    public string RootId { get; } = rootId;
}
