using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Expressions;

namespace Bamboo.Engine.Tests.Expressions;

/// <summary>
/// Random and adversarial templates and conditions (deterministic seeds): each evaluates or fails with an
/// <see cref="ExpressionException"/>, rendering never throws, and no case takes long.
/// </summary>
public sealed class ExpressionFuzzTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(3);

    private static readonly Dictionary<string, JsonNode?> Context = new()
    {
        ["a"] = 7,
        ["f"] = 2.5,
        ["s"] = "a,b,c",
        ["big"] = new string('z', 50_000),
        ["l"] = new JsonArray(1, 2, 3),
        ["d"] = new JsonObject { ["k"] = "v", ["n"] = new JsonArray(1, new JsonObject { ["x"] = null }) },
        ["t"] = true,
    };

    private static readonly string[] Atoms =
    [
        "a", "f", "s", "big", "l", "d", "t", "0", "1", "-1", "2", "10**18", "9", "2**62", "1e308", "0.0", "''", "'x'", "'%s'",
        "None", "True", "False", "[]", "{}", "()", "(1,)", "range(10**18)", "range(a)", "x", "__import__", "'__class__'",
    ];

    private static readonly string[] BinaryOps = ["+", "-", "*", "/", "//", "%", "**", "==", "<", ">=", "in", "not in", "and", "or", "is"];

    private static readonly string[] Calls =
    [
        "len", "str", "int", "float", "list", "tuple", "set", "dict", "sorted", "reversed", "sum", "min", "max", "abs",
        "round", "pow", "enumerate", "zip", "all", "any", "range", "bool", "type", "eval", "open",
    ];

    private static readonly string[] Methods =
    [
        "upper()", "split(',')", "join(l)", "replace('a', big)", "zfill(10**9)", "count('')", "startswith((1,))", "get('k')",
        "keys()", "items()", "index(1)", "strip()", "format(1)", "__class__", "_x", "find(s)",
    ];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 500)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Expression_RandomOrAdversarial_EvaluatesOrFailsWithAnExpressionException(int seed)
    {
        var random = new Random(seed);
        var expression = seed % 4 == 3 ? Soup(random) : Generate(random, 0);
        var lookup = (string name) => Context.TryGetValue(name, out var v) ? (true, PyOps.FromJson(v)) : (false, (object?)null);
        var clock = Stopwatch.StartNew();

        var evaluation = Record.Exception(() => new PyEvaluator(lookup).Run(PyParser.Parse(expression)));
        var rendering = Record.Exception(() => Template.RenderString("<${" + expression + "}>", Context));
        var references = Record.Exception(() => Template.References("${" + expression + "}"));

        Assert.True(evaluation is null or ExpressionException, $"seed {seed}: {expression}\n{evaluation}");
        Assert.Null(rendering);
        Assert.Null(references);
        Assert.True(clock.Elapsed < Slow, $"seed {seed} took {clock.Elapsed}: {expression}");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Condition_RandomOrAdversarial_EvaluatesOrFailsWithAnExpressionException(int seed)
    {
        var random = new Random(seed);
        var condition = Condition(random, 0);
        var clock = Stopwatch.StartNew();

        var error = Record.Exception(() => BoolRule.Evaluate(condition));

        Assert.True(error is null or ExpressionException, $"seed {seed}: {condition}\n{error}");
        Assert.True(clock.Elapsed < Slow, $"seed {seed} took {clock.Elapsed}: {condition}");
    }

    /// <summary>A random expression of the Python subset, mostly well-formed, with adversarial atoms and shapes.</summary>
    private static string Generate(Random random, int depth)
    {
        if (depth > 4 || random.Next(4) == 0)
        {
            return Atoms[random.Next(Atoms.Length)];
        }

        string Sub() => Generate(random, depth + 1);
        return random.Next(13) switch
        {
            0 => $"{Sub()} {BinaryOps[random.Next(BinaryOps.Length)]} {Sub()}",
            1 => $"{Calls[random.Next(Calls.Length)]}({Sub()})",
            2 => $"{Calls[random.Next(Calls.Length)]}({Sub()}, {Sub()})",
            3 => $"{Sub()}.{Methods[random.Next(Methods.Length)]}",
            4 => $"{Sub()}[{Sub()}]",
            5 => $"{Sub()}[{Sub()}:{Sub()}:{Sub()}]",
            6 => $"[{Sub()} for x in {Sub()} if {Sub()}]",
            7 => $"{{{Sub()}: {Sub()} for x in {Sub()}}}",
            8 => $"(lambda x: {Sub()})({Sub()})",
            9 => $"{Sub()} if {Sub()} else {Sub()}",
            10 => $"not {Sub()}",
            11 => $"-({Sub()})",
            _ => $"'%s-%d' % ({Sub()}, {Sub()})",
        };
    }

    /// <summary>Random tokens and characters, nesting and lengths included.</summary>
    private static string Soup(Random random)
    {
        var pieces = new[] { "(", ")", "[", "]", "{", "}", ",", ":", ".", "**", "*", "'", "\"", "\\", "lambda", "for", "in", "if", "0x", "0b", "1e", "_", "$", "#", " ", "\t", "a", "9" };
        var sb = new StringBuilder();
        var length = random.Next(4) == 0 ? random.Next(200, 12_000) : random.Next(1, 60);
        while (sb.Length < length)
        {
            sb.Append(random.Next(3) == 0 ? ((char)random.Next(32, 0x3000)).ToString() : pieces[random.Next(pieces.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>A random boolrule condition: comparisons, lists, and/or chains, parentheses, odd literals.</summary>
    private static string Condition(Random random, int depth)
    {
        string[] values = ["1", "-5", "1.5e3", "1e3", "99999999999999999999", "\"a b\"", "'x'", "True", "false", "abc", "${x}", "a.b", "(1, 2)", "(\"a\")", "*", ""];
        string[] operators = ["==", "!=", ">", "<=", "in", "notin", "issuperset", "notissuperset", "=", "IN"];
        if (depth > 3 || random.Next(3) == 0)
        {
            return $"{values[random.Next(values.Length)]} {operators[random.Next(operators.Length)]} {values[random.Next(values.Length)]}";
        }

        return random.Next(4) switch
        {
            0 => $"({Condition(random, depth + 1)})",
            1 => $"{Condition(random, depth + 1)} and {Condition(random, depth + 1)}",
            2 => $"{Condition(random, depth + 1)} or {Condition(random, depth + 1)}",
            _ => new string('(', random.Next(100)) + Condition(random, depth + 1) + new string(')', random.Next(100)),
        };
    }
}
