using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Model;

namespace Bamboo.Runtime.Tests.Probes;

/// <summary>Pipeline shapes the process and isolation tests share.</summary>
internal static class Trees
{
    /// <summary>A probe activity with the given inputs (see <see cref="ProbeService"/>).</summary>
    public static ServiceActivity Probe(params (string Key, JsonNode? Value)[] inputs)
    {
        var act = new ServiceActivity("probe");
        foreach (var (key, value) in inputs)
        {
            act.Inputs[key] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, value);
        }

        return act;
    }

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

    /// <summary>start → n × code → end.</summary>
    public static Pipeline Sequential(int n, string code = "empty_node") =>
        Sequence([.. Enumerable.Range(0, n).Select(_ => new ServiceActivity(code))]);

    /// <summary>start → pg → one branch per element list → cg → end.</summary>
    public static Pipeline Parallel(IReadOnlyList<IReadOnlyList<Element>> branches)
    {
        var start = new EmptyStartEvent();
        var pg = start.Extend(new ParallelGateway());
        foreach (var branch in branches)
        {
            pg.Connect(branch[0]);
            Element tail = branch[0];
            foreach (var next in branch.Skip(1))
            {
                tail = tail.Extend(next);
            }
        }

        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    /// <summary>Writes the tree to a JSON file in <paramref name="folder"/> and returns its path.</summary>
    public static string WriteTo(Pipeline pipeline, string folder)
    {
        var path = Path.Combine(folder, pipeline.Id + ".json");
        File.WriteAllText(path, pipeline.ToJson().ToJsonString());
        return path;
    }

    /// <summary>The ids of every node, subprocesses' included.</summary>
    public static IEnumerable<string> NodeIds(Pipeline p) =>
        p.Nodes.Select(n => n.Id).Concat(p.Activities.Values.OfType<SubProcessNode>().SelectMany(s => NodeIds(s.Pipeline)));
}
