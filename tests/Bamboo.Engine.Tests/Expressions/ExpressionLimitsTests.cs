using System.Diagnostics;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Expressions;

namespace Bamboo.Engine.Tests.Expressions;

/// <summary>Each limit of <see cref="ExpressionLimits"/> stops what it bounds with an error naming it, and nothing else escapes.</summary>
public sealed class ExpressionLimitsTests
{
    private static readonly Dictionary<string, object?> Names = new()
    {
        ["a"] = 1L,
        ["s"] = "abc",
        ["long_text"] = new string('a', 10_000),
        ["l"] = new List<object?> { 1L, 2L, 3L },
    };

    private static object? Run(string expression) =>
        new PyEvaluator(name => Names.TryGetValue(name, out var v) ? (true, v) : (false, null)).Run(PyParser.Parse(expression));

    private static void AssertLimit(string limit, Action action)
    {
        var ex = Assert.ThrowsAny<ExpressionException>(action);
        Assert.Contains($"ExpressionLimits.{limit}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExpressionLongerThanTheLimit_NamesIt()
    {
        AssertLimit(nameof(ExpressionLimits.MaxExpressionLength), () => PyParser.Parse(new string('1', ExpressionLimits.MaxExpressionLength + 1)));
        AssertLimit(nameof(ExpressionLimits.MaxExpressionLength), () => BoolRule.Evaluate(new string(' ', ExpressionLimits.MaxExpressionLength) + "1 == 1"));
    }

    [Theory]
    [InlineData("(", ")", 60)]
    [InlineData("[", "]", 60)]
    [InlineData("-", "", 150)]
    [InlineData("not ", "", 150)]
    [InlineData("", "+1", 150)]
    [InlineData("", "*1", 150)]
    [InlineData("", "[0]", 150)]
    [InlineData("lambda: ", "", 150)]
    public void Parse_NestingPastTheLimit_NamesIt(string open, string close, int times)
    {
        var text = string.Concat(Enumerable.Repeat(open, times)) + "1" + string.Concat(Enumerable.Repeat(close, times));

        AssertLimit(nameof(ExpressionLimits.MaxNesting), () => PyParser.Parse(text));
    }

    [Fact]
    public void Run_NestingWithinTheLimit_Evaluates()
    {
        Assert.Equal(41L, Run(new string('(', 40) + "1" + string.Concat(Enumerable.Repeat("+1)", 40))));
    }

    [Fact]
    public void Run_LambdaCallingItself_StopsAtTheRecursionLimit()
    {
        AssertLimit(nameof(ExpressionLimits.MaxRecursionDepth), () => Run("(lambda f: f(f))(lambda f: f(f))"));
    }

    [Theory]
    [InlineData("[x for x in range(10**6)]")]
    [InlineData("sum(range(10**9))")]
    [InlineData("[[y for y in range(1000)] for x in range(1000)]")]
    [InlineData("'a' * 500000")]
    public void Run_TooMuchWork_StopsAtTheStepLimit(string expression)
    {
        AssertLimit(nameof(ExpressionLimits.MaxSteps), () => Run(expression));
    }

    [Theory]
    [InlineData("'a' * 10**10")]
    [InlineData("'ab' * 2**62")]
    [InlineData("[1] * 2**62")]
    [InlineData("(1,) * 10**7")]
    [InlineData("str([long_text] * 900)")]
    [InlineData("long_text.replace('a', long_text)")]
    [InlineData("'-'.join([long_text] * 150)")]
    [InlineData("range(10**18)[::2]")]
    public void Run_TooLargeAValue_StopsAtTheSizeLimit(string expression)
    {
        AssertLimit(nameof(ExpressionLimits.MaxSize), () => Run(expression));
    }

    [Theory]
    [InlineData("9**9**9")]
    [InlineData("2**(10**18)")]
    [InlineData("abs(-9223372036854775807 - 1)")]
    [InlineData("0xFFFFFFFFFFFFFFFFFF")]
    [InlineData("0b12")]
    [InlineData("int('zz', 36)")]
    [InlineData("int('9' * 30)")]
    [InlineData("sorted([1, 'a'])")]
    [InlineData("set([[1]])")]
    [InlineData("s.startswith((1, 2))")]
    public void Run_ArithmeticOrTypeError_IsAnExpressionException(string expression)
    {
        Assert.ThrowsAny<ExpressionException>(() => Run(expression));
    }

    [Theory]
    [InlineData("(-1)**(10**18)", 1L)]
    [InlineData("(-1)**(10**18 + 1)", -1L)]
    [InlineData("1**(10**18)", 1L)]
    [InlineData("10**17 in range(10**18)", true)]
    [InlineData("10**17 + 1 in range(0, 10**18, 2)", false)]
    [InlineData("len(set([(i, i) for i in range(30000)]))", 30000L)]
    public void Run_LargeButCheapExpression_IsComputedWithoutIterating(string expression, object expected)
    {
        var clock = Stopwatch.StartNew();

        var value = Run(expression);

        Assert.Equal(expected, value);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    // 300 templates of about 150,000 steps each: the first ones render, the rest stay verbatim once the value's work is spent.
    [Fact]
    public void RenderString_ManyCostlyTemplates_StopAtTheRenderLimit()
    {
        var template = "${len([x for x in range(50000)])}";
        var text = string.Join(" ", Enumerable.Range(0, 300).Select(i => template.Replace("x", $"x{i}", StringComparison.Ordinal)));

        var rendered = Template.RenderString(text, new Dictionary<string, JsonNode?>())!.GetValue<string>();

        Assert.StartsWith("50000 50000", rendered, StringComparison.Ordinal);
        Assert.EndsWith("${len([x299 for x299 in range(50000)])}", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ValueNestedPastTheLimit_NamesIt()
    {
        JsonNode deep = "x";
        for (var i = 0; i < ExpressionLimits.MaxValueDepth + 10; i++)
        {
            deep = new JsonArray(deep);
        }

        AssertLimit(nameof(ExpressionLimits.MaxValueDepth), () => Template.Render(deep, new Dictionary<string, JsonNode?>()));
        AssertLimit(nameof(ExpressionLimits.MaxValueDepth), () => PyOps.FromJson(deep));
        Assert.Equal("x${v}", Template.RenderString("x${v}", new Dictionary<string, JsonNode?> { ["v"] = deep })!.GetValue<string>());
    }

    [Fact]
    public void BoolRule_ParenthesesPastTheLimit_NamesIt()
    {
        var text = new string('(', ExpressionLimits.MaxConditionNesting + 1) + "1 == 1" + new string(')', ExpressionLimits.MaxConditionNesting + 1);

        AssertLimit(nameof(ExpressionLimits.MaxConditionNesting), () => BoolRule.Evaluate(text));
    }

    [Fact]
    public void BoolRule_IntegerBeyond64Bits_IsAnEvaluationError()
    {
        var ex = Assert.Throws<ExpressionException>(() => BoolRule.Evaluate("99999999999999999999 == 1"));

        Assert.Contains("64 bits", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void References_LiteralOfAnInvalidBase_HasNoReferences()
    {
        Assert.Empty(Template.References("${0b12 + x}"));
    }
}
