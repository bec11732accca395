using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Tests.Execution;

public sealed class ContextHydratorTests
{
    private static readonly ComponentRegistry Registry = new ComponentRegistry().AddTestkit();

    private static ContextValue Value(string key, ContextValueType type, JsonNode? value, string code = "") => new(key, type, value, code, []);

    // data.md §4 verified example
    [Fact]
    public void Hydrate_DataMdExample_ResolvesEveryKind()
    {
        var values = new[]
        {
            Value("${a}", ContextValueType.Plain, 1),
            Value("${b}", ContextValueType.Splice, "${a}"),
            Value("${c}", ContextValueType.Splice, "x-${b}-${zz}"),
            Value("${d}", ContextValueType.Compute, "q${a}", "upper_case"),
            Value("${e}", ContextValueType.Splice, new JsonObject { ["k"] = "${a}", ["l"] = new JsonArray("${b}", 2) }),
            Value("${f}", ContextValueType.Splice, "${a + 1}"),
        };

        var sut = ContextHydrator.Hydrate(values, (code, v) => Registry.CreateVariable(code).GetValue(v, []));

        Assert.Equal(1, sut["a"]!.GetValue<int>());
        Assert.Equal(1, sut["b"]!.GetValue<int>());
        Assert.Equal("x-1-${zz}", sut["c"]!.GetValue<string>());
        Assert.Equal("Q1", sut["d"]!.GetValue<string>());
        Assert.Equal("""{"k":1,"l":[1,2]}""", sut["e"]!.ToJsonString());
        Assert.Equal("2", sut["f"]!.GetValue<string>());
    }

    [Fact]
    public void Hydrate_ReferenceCycle_FailsNamingTheKeys()
    {
        var values = new[] { Value("${x}", ContextValueType.Splice, "${y}"), Value("${y}", ContextValueType.Splice, "${x}") };

        var ex = Assert.Throws<ExpressionException>(() => ContextHydrator.Hydrate(values, (code, v) => Registry.CreateVariable(code).GetValue(v, [])));

        Assert.Contains("${x}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("${y}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hydrate_UnknownLazyType_FailsNamingTheType()
    {
        var values = new[] { Value("${v}", ContextValueType.Compute, "x", "no_such_type") };

        var ex = Assert.Throws<NotFoundError>(() => ContextHydrator.Hydrate(values, (code, v) => Registry.CreateVariable(code).GetValue(v, [])));

        Assert.Contains("no_such_type", ex.Message, StringComparison.Ordinal);
    }
}
