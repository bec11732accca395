namespace Bamboo.Engine.Execution;

/// <summary>Receives the engine's runtime hooks as they happen. Called on the worker's thread: keep it quick; exceptions are logged and ignored.</summary>
public interface IPipelineEventSink
{
    void OnEvent(PipelineEvent pipelineEvent);
}
