using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

/// <summary>Mako-like <c>${...}</c> templates: finding them, their references, the sandbox checks and rendering (data.md §3).</summary>
public static partial class Template
{
    private static readonly HashSet<string> AlwaysRejected =
        ["self", "context", "local", "parent", "next", "caller", "pageargs", "UNDEFINED", "STOP_RENDERING"];

    private static readonly HashSet<string> BlockedAttributes =
    [
        "os", "sys", "subprocess", "shutil", "ctypes", "socket", "_thread", "threading", "builtins", "__builtins__", "modules",
        "popen", "popen2", "popen3", "popen4", "system", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp",
        "spawnvpe", "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe", "fork", "forkpty", "kill",
        "format", "format_map",
    ];

    private static readonly HashSet<string> AllowedFilters = ["n", "h", "x", "u", "trim", "entity", "unicode", "str"];

    [GeneratedRegex(@"\$\{[^$\{\}#]+\}")]
    private static partial Regex TemplatePattern();

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_.]*)(\s*,\s*[A-Za-z_][A-Za-z0-9_.]*)*\s*$")]
    private static partial Regex FilterPattern();

    /// <summary>The distinct templates (with their <c>${}</c>) in a string, in order of appearance.</summary>
    public static IReadOnlyList<string> Find(string text)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return [];
        }

        return TemplatePattern().Matches(text).Select(m => m.Value).Distinct().ToList();
    }

    /// <summary>References (<c>${name}</c>) read by every template inside a value, recursively through lists and objects.</summary>
    public static ISet<string> References(JsonNode? value)
    {
        var refs = new HashSet<string>();
        Collect(value, refs);
        return refs;
    }

    /// <summary>References of a single string.</summary>
    public static ISet<string> References(string text)
    {
        var refs = new HashSet<string>();
        CollectString(text, refs);
        return refs;
    }

    private static void Collect(JsonNode? value, HashSet<string> refs, int depth = 0)
    {
        CheckValueDepth(depth);
        switch (value)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    Collect(v, refs, depth + 1);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Collect(v, refs, depth + 1);
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                CollectString(s, refs);
                break;
        }
    }

    private static void CollectString(string s, HashSet<string> refs)
    {
        foreach (var t in Find(s))
        {
            var (expr, _) = SplitFilters(t[2..^1]);
            try
            {
                foreach (var name in FreeNames(PyParser.Parse(expr)))
                {
                    refs.Add("${" + name + "}");
                }
            }
            catch (ExpressionException)
            {
                // A template that cannot be parsed has no references.
            }
        }
    }

    /// <summary>
    /// Renders a value against a context of plain names (no <c>${}</c>); returns a new node. All its templates share
    /// <see cref="ExpressionLimits.MaxStepsPerRender"/>; once that is spent, the remaining templates stay verbatim.
    /// </summary>
    public static JsonNode? Render(JsonNode? value, IReadOnlyDictionary<string, JsonNode?> context) =>
        Render(value, context, NewRenderBudget(), 0);

    private static StepBudget NewRenderBudget() => new(ExpressionLimits.MaxStepsPerRender, "ExpressionLimits.MaxStepsPerRender");

    private static JsonNode? Render(JsonNode? value, IReadOnlyDictionary<string, JsonNode?> context, StepBudget budget, int depth)
    {
        CheckValueDepth(depth);
        return value switch
        {
            JsonObject o => RenderObject(o, context, budget, depth),
            JsonArray a => new JsonArray(a.Select(x => Render(x, context, budget, depth + 1)).ToArray()),
            JsonValue v when v.TryGetValue<string>(out var s) => RenderString(s, context, budget),
            null => null,
            _ => value.DeepClone(),
        };
    }

    private static void CheckValueDepth(int depth)
    {
        if (depth > ExpressionLimits.MaxValueDepth)
        {
            throw new ExpressionException($"a value to render nests more than {ExpressionLimits.MaxValueDepth} levels (ExpressionLimits.MaxValueDepth)");
        }
    }

    private static JsonObject RenderObject(JsonObject o, IReadOnlyDictionary<string, JsonNode?> context, StepBudget budget, int depth)
    {
        var result = new JsonObject();
        foreach (var (k, v) in o)
        {
            result[k] = Render(v, context, budget, depth + 1);
        }

        return result;
    }

    /// <summary>Renders one string (data.md §3.4): the typed shortcut returns the mapped value itself.</summary>
    public static JsonNode? RenderString(string text, IReadOnlyDictionary<string, JsonNode?> context) =>
        RenderString(text, context, NewRenderBudget());

    private static JsonNode? RenderString(string text, IReadOnlyDictionary<string, JsonNode?> context, StepBudget budget)
    {
        var templates = Find(text);
        if (templates.Count == 0)
        {
            return JsonValue.Create(text);
        }

        if (templates.Count == 1 && templates[0].Length == text.Length && context.TryGetValue(text[2..^1], out var direct))
        {
            return direct?.DeepClone();
        }

        var cache = new Dictionary<string, object?>();
        (bool, object?) Lookup(string name)
        {
            if (cache.TryGetValue(name, out var v))
            {
                return (true, v);
            }

            if (!context.TryGetValue(name, out var node))
            {
                return (false, null);
            }

            v = PyOps.FromJson(node);
            cache[name] = v;
            return (true, v);
        }

        var result = text;
        foreach (var t in templates)
        {
            if (TryEvaluate(t[2..^1], context, Lookup, budget, out var rendered))
            {
                result = result.Replace(t, rendered, StringComparison.Ordinal);
            }
        }

        return JsonValue.Create(result);
    }

    private static bool TryEvaluate(string body, IReadOnlyDictionary<string, JsonNode?> context, Func<string, (bool, object?)> lookup, StepBudget budget, out string rendered)
    {
        rendered = "";
        if (body.Length > 0 && char.IsWhiteSpace(body[0]))
        {
            // Parity: Mako's safety parser rejects leading whitespace, leaving the template verbatim.
            return false;
        }

        var (expr, filters) = SplitFilters(body);
        if (filters is null)
        {
            return false;
        }

        try
        {
            var ast = PyParser.Parse(expr);
            if (!IsSafe(ast, context))
            {
                return false;
            }

            var value = new PyEvaluator(lookup, budget).Run(ast);
            rendered = ApplyFilters(PyOps.Str(value), filters);

            // What is written into the string counts too: many templates each printing a long value add up.
            budget.Spend(rendered.Length);
            return true;
        }
        catch (ExpressionException)
        {
            return false;
        }

    }

    private static (string Expr, List<string>? Filters) SplitFilters(string body)
    {
        var bar = body.LastIndexOf('|');
        if (bar < 0)
        {
            return (body, []);
        }

        var tail = body[(bar + 1)..];
        var match = FilterPattern().Match(tail);
        if (!match.Success)
        {
            return (body, []);
        }

        var filters = tail.Split(',').Select(f => f.Trim()).ToList();
        var allowed = filters.All(f => AllowedFilters.Contains(f) || f.StartsWith("decode.", StringComparison.Ordinal));
        return (body[..bar], allowed ? filters : null);
    }

    private static string ApplyFilters(string text, List<string> filters)
    {
        foreach (var f in filters)
        {
            text = f switch
            {
                "h" or "x" or "entity" => WebUtility.HtmlEncode(text),
                "u" => Uri.EscapeDataString(text),
                "trim" => text.Trim(),
                _ => text,
            };
        }

        return text;
    }

    /// <summary>The sandbox checks of data.md §3.6 (enforce mode).</summary>
    private static bool IsSafe(PyExpr ast, IReadOnlyDictionary<string, JsonNode?> context)
    {
        var safe = true;
        Walk(ast, new ImmutableNameSet(), (node, bound) =>
        {
            switch (node)
            {
                case NameExpr n:
                    if (n.Id.StartsWith("__", StringComparison.Ordinal) || AlwaysRejected.Contains(n.Id))
                    {
                        safe = false;
                    }
                    else if (!bound.Contains(n.Id) && !context.ContainsKey(n.Id) && !PyEvaluator.Builtins.Contains(n.Id))
                    {
                        safe = false;
                    }

                    break;
                case AttributeExpr a when a.Name.StartsWith('_') || BlockedAttributes.Contains(a.Name):
                    safe = false;
                    break;
                case SubscriptExpr { Index: ConstExpr { Value: string key } } when key.StartsWith("__", StringComparison.Ordinal):
                    safe = false;
                    break;
            }
        });
        return safe;
    }

    /// <summary>Names read by an expression that it does not bind itself (comprehension targets, lambda parameters).</summary>
    internal static IReadOnlyList<string> FreeNames(PyExpr ast)
    {
        var names = new List<string>();
        Walk(ast, new ImmutableNameSet(), (node, bound) =>
        {
            if (node is NameExpr n && !bound.Contains(n.Id) && !names.Contains(n.Id))
            {
                names.Add(n.Id);
            }
        });
        return names;
    }

    private static void Walk(PyExpr? e, ImmutableNameSet bound, Action<PyExpr, ImmutableNameSet> visit)
    {
        if (e is null)
        {
            return;
        }

        visit(e, bound);
        switch (e)
        {
            case AttributeExpr a: Walk(a.Target, bound, visit); break;
            case SubscriptExpr s: Walk(s.Target, bound, visit); Walk(s.Index, bound, visit); break;
            case SliceExpr s: Walk(s.Lower, bound, visit); Walk(s.Upper, bound, visit); Walk(s.Step, bound, visit); break;
            case CallExpr c:
                Walk(c.Function, bound, visit);
                foreach (var a in c.Args)
                {
                    Walk(a, bound, visit);
                }

                foreach (var (_, v) in c.Keywords)
                {
                    Walk(v, bound, visit);
                }

                break;
            case BinaryExpr b: Walk(b.Left, bound, visit); Walk(b.Right, bound, visit); break;
            case UnaryExpr u: Walk(u.Operand, bound, visit); break;
            case BoolExpr b:
                foreach (var v in b.Values)
                {
                    Walk(v, bound, visit);
                }

                break;
            case CompareExpr c:
                Walk(c.Left, bound, visit);
                foreach (var v in c.Comparators)
                {
                    Walk(v, bound, visit);
                }

                break;
            case ConditionalExpr c: Walk(c.Test, bound, visit); Walk(c.Body, bound, visit); Walk(c.OrElse, bound, visit); break;
            case ListExpr l: WalkAll(l.Items, bound, visit); break;
            case TupleExpr t: WalkAll(t.Items, bound, visit); break;
            case SetExpr s: WalkAll(s.Items, bound, visit); break;
            case DictExpr d:
                foreach (var (k, v) in d.Items)
                {
                    Walk(k, bound, visit);
                    Walk(v, bound, visit);
                }

                break;
            case ComprehensionExpr c:
                {
                    var inner = bound;
                    foreach (var clause in c.Clauses)
                    {
                        Walk(clause.Iter, inner, visit);
                        inner = inner.With(clause.Targets);
                        foreach (var cond in clause.Conditions)
                        {
                            Walk(cond, inner, visit);
                        }
                    }

                    Walk(c.Element, inner, visit);
                    Walk(c.Value, inner, visit);
                    break;
                }

            case LambdaExpr l: Walk(l.Body, bound.With(l.Parameters), visit); break;
        }
    }

    private static void WalkAll(IReadOnlyList<PyExpr> items, ImmutableNameSet bound, Action<PyExpr, ImmutableNameSet> visit)
    {
        foreach (var i in items)
        {
            Walk(i, bound, visit);
        }
    }

    /// <summary>Names bound by enclosing comprehensions or lambdas.</summary>
    private sealed class ImmutableNameSet(HashSet<string> names)
    {
        public ImmutableNameSet()
            : this([])
        {
        }

        public bool Contains(string name) => names.Contains(name);

        public ImmutableNameSet With(IEnumerable<string> more) => new([.. names, .. more]);
    }
}
