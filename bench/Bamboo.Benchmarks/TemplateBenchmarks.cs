using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Bamboo.Engine.Expressions;

namespace Bamboo.Benchmarks;

/// <summary>Rendering cost of a typical activity input template.</summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private readonly Dictionary<string, JsonNode?> _context = new() { ["l"] = "a,b,c,d,e", ["a_i"] = 2, ["name"] = "world" };

    [Benchmark]
    public JsonNode? RenderSplitIndex() => Template.RenderString("item ${l.split(',')[a_i]} for ${name}", _context);

    private readonly string _condition = "2 < 4 and \"world\" == \"world\"";

    [Benchmark]
    public bool EvaluateCondition() => BoolRule.Evaluate(_condition);
}
