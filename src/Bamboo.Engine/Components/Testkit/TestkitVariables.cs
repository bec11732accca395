using System.Text.Json.Nodes;

namespace Bamboo.Engine.Components.Testkit;

/// <summary>upper_case: the value as text, upper-cased.</summary>
public sealed class UpperCaseVariable : ILazyVariable
{
    public JsonNode? GetValue(JsonNode? value, JsonObject pipelineData) =>
        JsonValue.Create(Expressions.PyOps.Str(Expressions.PyOps.FromJson(value)).ToUpperInvariant());
}

/// <summary>test_variable: the value unchanged.</summary>
public sealed class PassThroughVariable : ILazyVariable
{
    public JsonNode? GetValue(JsonNode? value, JsonObject pipelineData) => value?.DeepClone();
}

/// <summary>raise_variable: always raises.</summary>
public sealed class RaiseVariable : ILazyVariable
{
    public JsonNode? GetValue(JsonNode? value, JsonObject pipelineData) =>
        throw new InvalidOperationException("raise_variable always raises");
}

/// <summary>MyTestEndEvent: prints where it ran.</summary>
public sealed class PrintingEndEvent : IExecutableEndEvent
{
    public void Execute(bool inSubprocess, string rootPipelineId, string currentPipelineId)
    {
        Console.WriteLine($"in_subprocess: {inSubprocess}");
        Console.WriteLine($"root_pipeline_id: {rootPipelineId}");
        Console.WriteLine($"current_pipeline_id: {currentPipelineId}");
    }
}

/// <summary>MyRaiseEndEvent: always raises.</summary>
public sealed class RaisingEndEvent : IExecutableEndEvent
{
    public void Execute(bool inSubprocess, string rootPipelineId, string currentPipelineId) =>
        throw new InvalidOperationException("MyRaiseEndEvent always raises");
}
