using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

/// <summary>Evaluates a parsed expression with Python semantics inside a step budget: no reflection, no I/O, no .NET types.</summary>
internal sealed partial class PyEvaluator
{
    private readonly Func<string, (bool Found, object? Value)> _lookup;
    private readonly List<Dictionary<string, object?>> _scopes = [];
    private readonly StepBudget _budget = new(ExpressionLimits.MaxSteps, "ExpressionLimits.MaxSteps");
    private readonly StepBudget? _shared;
    private int _depth;

    /// <param name="lookup">Finds a context name's value.</param>
    /// <param name="shared">Work shared with the other templates of the value being rendered, if any.</param>
    public PyEvaluator(Func<string, (bool Found, object? Value)> lookup, StepBudget? shared = null)
    {
        _lookup = lookup;
        _shared = shared;
    }

    private sealed record BuiltinFunction(string Name);

    private sealed record BoundMethod(object? Target, string Name);

    private sealed record Closure(LambdaExpr Lambda, List<Dictionary<string, object?>> Scopes);

    private void Tick(long cost = 1)
    {
        _budget.Spend(cost);
        _shared?.Spend(cost);
    }

    public object? Evaluate(PyExpr expr)
    {
        // Parsing bounds an expression's own nesting; lambdas calling lambdas are bounded here.
        if (++_depth > ExpressionLimits.MaxRecursionDepth)
        {
            throw new ExpressionException($"expression recurses more than {ExpressionLimits.MaxRecursionDepth} levels deep (ExpressionLimits.MaxRecursionDepth)");
        }

        try
        {
            Tick();
            return EvaluateNode(expr);
        }
        finally
        {
            _depth--;
        }
    }

    private object? EvaluateNode(PyExpr expr)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                return LookupName(n.Id);
            case AttributeExpr a:
                throw new ExpressionException($"'{PyOps.TypeName(Evaluate(a.Target))}' object attribute '{a.Name}' is only callable as a method");
            case SubscriptExpr s:
                return Subscript(Evaluate(s.Target), s.Index);
            case CallExpr call:
                return Call(call);
            case BinaryExpr b:
                return Binary(b.Op, Evaluate(b.Left), Evaluate(b.Right));
            case UnaryExpr u:
                return Unary(u.Op, Evaluate(u.Operand));
            case BoolExpr b:
                {
                    object? last = null;
                    foreach (var v in b.Values)
                    {
                        last = Evaluate(v);
                        if (PyOps.Truthy(last) != b.IsAnd)
                        {
                            return last;
                        }
                    }

                    return last;
                }

            case CompareExpr c:
                {
                    var left = Evaluate(c.Left);
                    for (var i = 0; i < c.Ops.Count; i++)
                    {
                        var right = Evaluate(c.Comparators[i]);
                        if (!CompareOp(c.Ops[i], left, right))
                        {
                            return false;
                        }

                        left = right;
                    }

                    return true;
                }

            case ConditionalExpr c:
                return PyOps.Truthy(Evaluate(c.Test)) ? Evaluate(c.Body) : Evaluate(c.OrElse);
            case ListExpr l:
                return l.Items.Select(Evaluate).ToList();
            case TupleExpr t:
                return new PyTuple(t.Items.Select(Evaluate).ToList());
            case SetExpr s:
                {
                    var set = new PySet();
                    foreach (var i in s.Items)
                    {
                        set.Add(Evaluate(i));
                    }

                    return set;
                }

            case DictExpr d:
                {
                    var dict = new PyDict();
                    foreach (var (k, v) in d.Items)
                    {
                        dict[HashKey(Evaluate(k))] = Evaluate(v);
                    }

                    return dict;
                }

            case ComprehensionExpr c:
                return Comprehension(c);
            case LambdaExpr l:
                return new Closure(l, _scopes.Select(s => new Dictionary<string, object?>(s)).ToList());
            case SliceExpr:
                throw new ExpressionException("slice outside a subscript");
            default:
                throw new ExpressionException("unsupported expression");
        }
    }

    private static object HashKey(object? key) => key switch
    {
        null => PyNone.Value,
        List<object?> or PyDict or PySet => throw new ExpressionException($"unhashable type: '{PyOps.TypeName(key)}'"),
        _ => key,
    };

    private object? LookupName(string id)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(id, out var v))
            {
                return v;
            }
        }

        var (found, value) = _lookup(id);
        if (found)
        {
            return value;
        }

        if (Builtins.Contains(id))
        {
            return new BuiltinFunction(id);
        }

        throw new ExpressionException($"name '{id}' is not defined");
    }

    private object? Comprehension(ComprehensionExpr c)
    {
        var list = new List<object?>();
        var set = new PySet();
        var dict = new PyDict();
        var scope = new Dictionary<string, object?>();
        _scopes.Add(scope);
        try
        {
            RunClauses(c, 0, scope, () =>
            {
                switch (c.Kind)
                {
                    case "dict":
                        dict[HashKey(Evaluate(c.Element))] = Evaluate(c.Value!);
                        break;
                    case "set":
                        set.Add(Evaluate(c.Element));
                        break;
                    default:
                        list.Add(Evaluate(c.Element));
                        PyOps.CheckSize(list.Count);
                        break;
                }
            });
        }
        finally
        {
            _scopes.RemoveAt(_scopes.Count - 1);
        }

        return c.Kind switch { "dict" => dict, "set" => set, _ => list };
    }

    private void RunClauses(ComprehensionExpr c, int index, Dictionary<string, object?> scope, Action body)
    {
        if (index == c.Clauses.Count)
        {
            body();
            return;
        }

        var clause = c.Clauses[index];
        foreach (var item in PyOps.Iterate(Evaluate(clause.Iter)))
        {
            Tick();
            Bind(scope, clause.Targets, clause.TargetIsTuple, item);
            if (clause.Conditions.All(cond => PyOps.Truthy(Evaluate(cond))))
            {
                RunClauses(c, index + 1, scope, body);
            }
        }
    }

    private static void Bind(Dictionary<string, object?> scope, IReadOnlyList<string> targets, bool isTuple, object? item)
    {
        if (!isTuple)
        {
            scope[targets[0]] = item;
            return;
        }

        var parts = PyOps.Iterate(item).ToList();
        if (parts.Count != targets.Count)
        {
            throw new ExpressionException($"cannot unpack {parts.Count} values into {targets.Count} names");
        }

        for (var i = 0; i < targets.Count; i++)
        {
            scope[targets[i]] = parts[i];
        }
    }

    /// <summary>
    /// Evaluates a whole expression. The interpreter's own checks raise <see cref="ExpressionException"/>; an arithmetic
    /// or conversion error of .NET that one of them missed becomes one too, so nothing else leaves the sandbox.
    /// </summary>
    public object? Run(PyExpr expr)
    {
        try
        {
            return Evaluate(expr);
        }
        catch (Exception ex) when (ex is OverflowException or FormatException or InvalidCastException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ExpressionException($"expression failed: {ex.Message}");
        }
    }

    private object? Subscript(object? target, PyExpr indexExpr)
    {
        if (indexExpr is SliceExpr s)
        {
            var lower = s.Lower is null ? null : Evaluate(s.Lower);
            var upper = s.Upper is null ? null : Evaluate(s.Upper);
            var step = s.Step is null ? null : Evaluate(s.Step);
            return Slice(target, lower, upper, step);
        }

        var index = Evaluate(indexExpr);
        switch (target)
        {
            case PyDict d:
                return d.TryGetValue(HashKey(index), out var v) ? v : throw new ExpressionException($"KeyError: {PyOps.Repr(index)}");
            case string str:
                return str[NormalizeIndex(index, str.Length)].ToString();
            case List<object?> l:
                return l[NormalizeIndex(index, l.Count)];
            case PyTuple t:
                return t.Items[NormalizeIndex(index, t.Items.Count)];
            case PyRange r:
                return r.Start + (NormalizeIndex(index, (int)Math.Min(r.Count, int.MaxValue)) * r.Step);
            default:
                throw new ExpressionException($"'{PyOps.TypeName(target)}' object is not subscriptable");
        }
    }

    private static int NormalizeIndex(object? index, int count)
    {
        if (index is not (long or bool))
        {
            throw new ExpressionException($"indices must be integers, not {PyOps.TypeName(index)}");
        }

        var i = PyOps.ToLong(index);
        if (i < 0)
        {
            i += count;
        }

        if (i < 0 || i >= count)
        {
            throw new ExpressionException("index out of range");
        }

        return (int)i;
    }

    private object? Slice(object? target, object? lower, object? upper, object? step)
    {
        // Materialised to slice, so sized first: range(10**18)[::2] listed every number.
        var count = target switch
        {
            string s => s.Length,
            List<object?> l => l.Count,
            PyTuple t => t.Items.Count,
            PyRange r => r.Count,
            _ => throw new ExpressionException($"'{PyOps.TypeName(target)}' object is not subscriptable"),
        };
        PyOps.CheckSize(count);
        Tick(count);
        var items = target switch
        {
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            List<object?> l => l,
            PyTuple t => t.Items,
            _ => ((PyRange)target!).Items().ToList(),
        };
        var indices = SliceIndices(items.Count, lower, upper, step);
        var picked = indices.Select(i => items[i]).ToList();
        return target switch
        {
            string => string.Concat(picked.Cast<string>()),
            PyTuple => new PyTuple(picked),
            _ => picked,
        };
    }

    public static List<int> SliceIndices(int count, object? lower, object? upper, object? step)
    {
        long st = step is null ? 1 : PyOps.ToLong(step);
        if (st == 0)
        {
            throw new ExpressionException("slice step cannot be zero");
        }

        long Clamp(object? v, long fallback, bool isLower)
        {
            if (v is null)
            {
                return fallback;
            }

            var x = PyOps.ToLong(v);
            if (x < 0)
            {
                x += count;
            }

            return st > 0 ? Math.Clamp(x, 0, count) : Math.Clamp(x, -1, count - 1);
        }

        var start = Clamp(lower, st > 0 ? 0 : count - 1, true);
        var stop = Clamp(upper, st > 0 ? count : -1, false);
        var result = new List<int>();
        for (var i = start; st > 0 ? i < stop : i > stop; i += st)
        {
            result.Add((int)i);
        }

        return result;
    }

    private object? Call(CallExpr call)
    {
        var function = call.Function is AttributeExpr attr ? new BoundMethod(Evaluate(attr.Target), attr.Name) : Evaluate(call.Function);
        var args = call.Args.Select(Evaluate).ToList();
        var kwargs = call.Keywords.ToDictionary(k => k.Name, k => Evaluate(k.Value));
        return Invoke(function, args, kwargs);
    }

    private object? Invoke(object? function, List<object?> args, Dictionary<string, object?> kwargs)
    {
        Tick();
        return function switch
        {
            BuiltinFunction b => CallBuiltin(b.Name, args, kwargs),
            BoundMethod m => CallMethod(m.Target, m.Name, args, kwargs),
            Closure c => CallClosure(c, args),
            _ => throw new ExpressionException($"'{PyOps.TypeName(function)}' object is not callable"),
        };
    }

    private object? CallClosure(Closure c, List<object?> args)
    {
        if (args.Count != c.Lambda.Parameters.Count)
        {
            throw new ExpressionException($"lambda takes {c.Lambda.Parameters.Count} arguments ({args.Count} given)");
        }

        var saved = _scopes.ToList();
        _scopes.Clear();
        _scopes.AddRange(c.Scopes);
        var scope = new Dictionary<string, object?>();
        for (var i = 0; i < args.Count; i++)
        {
            scope[c.Lambda.Parameters[i]] = args[i];
        }

        _scopes.Add(scope);
        try
        {
            return Evaluate(c.Lambda.Body);
        }
        finally
        {
            _scopes.Clear();
            _scopes.AddRange(saved);
        }
    }

    private static bool CompareOp(string op, object? left, object? right) => op switch
    {
        "==" => PyOps.PyEquals(left, right),
        "!=" => !PyOps.PyEquals(left, right),
        "<" => PyOps.Compare(left, right, "<") < 0,
        ">" => PyOps.Compare(left, right, ">") > 0,
        "<=" => PyOps.Compare(left, right, "<=") <= 0,
        ">=" => PyOps.Compare(left, right, ">=") >= 0,
        "in" => PyOps.Contains(right, left),
        "not in" => !PyOps.Contains(right, left),
        "is" => left is null ? right is null : right is not null && (ReferenceEquals(left, right) || left is bool && PyOps.PyEquals(left, right) && right is bool),
        "is not" => !CompareOp("is", left, right),
        _ => throw new ExpressionException($"unsupported comparison {op}"),
    };
}
