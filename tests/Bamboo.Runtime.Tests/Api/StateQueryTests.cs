using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>
/// get_pipeline_states and get_children_states list a run's states by the node ids of its tree (the store keeps no
/// per-run index of states); a second run in the same store must never show up in the first one's answer.
/// </summary>
public sealed class StateQueryTests : IAsyncLifetime
{
    private readonly EngineHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    // start -> act -> sub[sub_start -> inner -> sub_end] -> end
    private static (Pipeline Pipeline, SubProcess Sub, ServiceActivity Act, ServiceActivity Inner) Tree()
    {
        var inner = new ServiceActivity("debug_no_schedule_node");
        var innerStart = new EmptyStartEvent();
        innerStart.Extend(inner).Extend(new EmptyEndEvent());
        var sub = new SubProcess(innerStart);
        var act = new ServiceActivity("debug_no_schedule_node");
        var start = new EmptyStartEvent();
        start.Extend(act).Extend(sub).Extend(new EmptyEndEvent());
        return (PipelineBuilder.BuildTree(start), sub, act, inner);
    }

    private async Task<(Pipeline Pipeline, SubProcess Sub, ServiceActivity Act, ServiceActivity Inner)> FinishedRunAsync()
    {
        var run = Tree();
        await _h.StartAsync(run.Pipeline);
        await _h.WaitStateAsync(run.Pipeline.Id, NodeState.Finished);
        return run;
    }

    private static JsonObject Data(EngineApiResult result)
    {
        Assert.True(result.Result, result.Message);
        return (JsonObject)result.Data!;
    }

    [Fact]
    public async Task Flat_states_list_every_node_of_the_run_under_the_root()
    {
        var (pipeline, sub, act, inner) = await FinishedRunAsync();
        var other = await FinishedRunAsync();

        var states = Data(await EngineApi.GetPipelineStatesAsync(_h.Engine, pipeline.Id));
        var children = (JsonObject)states[pipeline.Id]!["children"]!;
        Assert.Equal(7, children.Count); // start, act, sub, sub's start, inner, sub's end, end
        Assert.Contains(act.Id, children.Select(c => c.Key));
        Assert.Contains(inner.Id, children.Select(c => c.Key));
        Assert.DoesNotContain(other.Act.Id, children.Select(c => c.Key));
        Assert.All(children, c => Assert.Equal(NodeState.Finished, (string?)c.Value!["state"]));
        // In the order they ran (by time, and along the flows for nodes started in the same millisecond).
        var order = children.Select(c => c.Key).ToList();
        Assert.True(order.IndexOf(act.Id) < order.IndexOf(sub.Id) && order.IndexOf(sub.Id) < order.IndexOf(inner.Id) && order.IndexOf(inner.Id) < order.IndexOf(pipeline.EndEvent.Id),
            string.Join(", ", order));
        Assert.Equal(NodeState.Finished, (string?)states[pipeline.Id]!["state"]);
        // Exactly the fields of api.md §14, for the root and every child.
        string[] fields = ["id", "state", "root_id", "parent_id", "version", "loop", "retry", "skip", "error_ignorable", "error_ignored",
            "created_time", "started_time", "archived_time", "children"];
        Assert.All(children.Select(c => c.Value!).Append(states[pipeline.Id]!), e => Assert.Equal(fields, e.AsObject().Select(kv => kv.Key)));
    }

    [Fact]
    public async Task Nested_states_put_a_subprocess_nodes_under_it()
    {
        var (pipeline, sub, act, inner) = await FinishedRunAsync();

        var states = Data(await EngineApi.GetPipelineStatesAsync(_h.Engine, pipeline.Id, flatChildren: false));
        var top = (JsonObject)states[pipeline.Id]!["children"]!;
        Assert.Equal(4, top.Count); // start, act, sub, end
        Assert.Contains(act.Id, top.Select(c => c.Key));
        var nested = (JsonObject)top[sub.Id]!["children"]!;
        Assert.Equal(3, nested.Count);
        Assert.Contains(inner.Id, nested.Select(c => c.Key));
    }

    [Fact]
    public async Task Children_states_of_a_subprocess_are_its_own_nodes_and_a_plain_node_has_none()
    {
        var (pipeline, sub, act, inner) = await FinishedRunAsync();

        var ofSub = (JsonObject)Data(await EngineApi.GetChildrenStatesAsync(_h.Engine, sub.Id))[sub.Id]!["children"]!;
        Assert.Equal(3, ofSub.Count);
        Assert.Contains(inner.Id, ofSub.Select(c => c.Key));

        var ofRoot = (JsonObject)Data(await EngineApi.GetChildrenStatesAsync(_h.Engine, pipeline.Id))[pipeline.Id]!["children"]!;
        Assert.Equal(4, ofRoot.Count);
        Assert.DoesNotContain(inner.Id, ofRoot.Select(c => c.Key));

        Assert.Empty((JsonObject)Data(await EngineApi.GetChildrenStatesAsync(_h.Engine, act.Id))[act.Id]!["children"]!);
    }

    [Fact]
    public async Task An_unknown_or_non_root_id_has_no_pipeline_states()
    {
        var (_, sub, _, _) = await FinishedRunAsync();

        Assert.Empty(Data(await EngineApi.GetPipelineStatesAsync(_h.Engine, "no-such-run")));
        Assert.Empty(Data(await EngineApi.GetPipelineStatesAsync(_h.Engine, sub.Id)));
    }
}
