namespace Bamboo.Engine.Model;

/// <summary>The element kinds of a pipeline tree, named as in bamboo.</summary>
public enum NodeKind
{
    EmptyStartEvent,
    EmptyEndEvent,
    ExecutableEndEvent,
    ServiceActivity,
    SubProcess,
    ExclusiveGateway,
    ParallelGateway,
    ConditionalParallelGateway,
    ConvergeGateway,
}
