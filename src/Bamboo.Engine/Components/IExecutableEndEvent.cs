namespace Bamboo.Engine.Components;

/// <summary>Code run by an executable end event before the pipeline ends; an exception fails the end event.</summary>
public interface IExecutableEndEvent
{
    void Execute(bool inSubprocess, string rootPipelineId, string currentPipelineId);
}
