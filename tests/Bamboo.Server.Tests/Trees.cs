using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Model;

namespace Bamboo.Server.Tests;

/// <summary>Pipelines the tests start through the API, as trees (bamboo's JSON).</summary>
internal static class Trees
{
    /// <summary>start → the elements in sequence → end.</summary>
    public static Pipeline Sequence(params Element[] elements)
    {
        var start = new EmptyStartEvent();
        Element tail = start;
        foreach (var element in elements)
        {
            tail = tail.Extend(element);
        }

        tail.Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    /// <summary>An activity of <paramref name="code"/> with plain inputs.</summary>
    public static ServiceActivity Activity(string code, params (string Key, JsonNode? Value)[] inputs)
    {
        var act = new ServiceActivity(code);
        foreach (var (key, value) in inputs)
        {
            act.Inputs[key] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, value);
        }

        return act;
    }

    /// <summary>The run_pipeline body for <paramref name="pipeline"/>.</summary>
    public static JsonObject Body(Pipeline pipeline) => new() { ["tree"] = pipeline.ToJson() };
}
