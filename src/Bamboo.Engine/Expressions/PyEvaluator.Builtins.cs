using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

internal sealed partial class PyEvaluator
{
    /// <summary>The safe builtins of data.md §3.6; nothing else is callable by name.</summary>
    public static readonly HashSet<string> Builtins =
    [
        "bool", "int", "float", "str", "list", "tuple", "dict", "set", "abs", "round", "pow", "sum", "min", "max",
        "len", "range", "slice", "enumerate", "zip", "sorted", "reversed", "all", "any",
    ];

    private object? CallBuiltin(string name, List<object?> args, Dictionary<string, object?> kwargs)
    {
        object? Arg(int i) => i < args.Count ? args[i] : throw new ExpressionException($"{name}() missing argument {i + 1}");
        switch (name)
        {
            case "bool":
                return args.Count > 0 && PyOps.Truthy(args[0]);
            case "int":
                if (args.Count == 0)
                {
                    return 0L;
                }

                if (args.Count > 1 && args[0] is string s16)
                {
                    var numberBase = PyOps.ToLong(args[1]);
                    if (numberBase is not (2 or 8 or 10 or 16))
                    {
                        throw new ExpressionException($"int() base {numberBase} is not supported (2, 8, 10 or 16)");
                    }

                    try
                    {
                        return Convert.ToInt64(s16.Trim(), (int)numberBase);
                    }
                    catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
                    {
                        throw new ExpressionException($"invalid literal for int() with base {numberBase}: {PyOps.Repr(s16)}");
                    }
                }

                return PyOps.TryInt(args[0], out var l) ? l : throw new ExpressionException($"invalid literal for int(): {PyOps.Repr(args[0])}");
            case "float":
                return args.Count == 0 ? 0.0 : PyOps.TryFloat(args[0], out var d) ? d : throw new ExpressionException($"could not convert to float: {PyOps.Repr(args[0])}");
            case "str":
                return args.Count == 0 ? "" : PyOps.Str(args[0]);
            case "list":
                return args.Count == 0 ? new List<object?>() : Materialize(args[0]);
            case "tuple":
                return new PyTuple(args.Count == 0 ? [] : Materialize(args[0]));
            case "set":
                {
                    var set = new PySet();
                    if (args.Count > 0)
                    {
                        foreach (var x in Materialize(args[0]))
                        {
                            set.Add(x);
                        }
                    }

                    return set;
                }

            case "dict":
                {
                    var dict = new PyDict();
                    if (args.Count > 0)
                    {
                        if (args[0] is PyDict src)
                        {
                            foreach (var (k, v) in src.Items)
                            {
                                dict[k] = v;
                            }
                        }
                        else
                        {
                            foreach (var pair in Materialize(args[0]))
                            {
                                var kv = PyOps.Iterate(pair).ToList();
                                if (kv.Count != 2)
                                {
                                    throw new ExpressionException("dictionary update sequence element has wrong length");
                                }

                                dict[HashKey(kv[0])] = kv[1];
                            }
                        }
                    }

                    foreach (var (k, v) in kwargs)
                    {
                        dict[k] = v;
                    }

                    return dict;
                }

            case "abs":
                return Arg(0) switch
                {
                    double x => (object)Math.Abs(x),
                    var x => PyOps.ToLong(x) is var n && n == long.MinValue ? throw new ExpressionException("integer result too large") : (object)Math.Abs(n),
                };
            case "round":
                {
                    var x = PyOps.ToDouble(Arg(0));
                    if (args.Count < 2 || args[1] is null)
                    {
                        return (object)(long)Math.Round(x, MidpointRounding.ToEven);
                    }

                    var digits = (int)Math.Clamp(PyOps.ToLong(args[1]), -15, 15);
                    return Arg(0) is long && digits >= 0 ? Arg(0) : Math.Round(x, Math.Max(digits, 0), MidpointRounding.ToEven);
                }

            case "pow":
                return Binary("**", Arg(0), Arg(1));
            case "sum":
                {
                    object? total = args.Count > 1 ? args[1] : 0L;
                    foreach (var x in Materialize(Arg(0)))
                    {
                        total = Add(total, x);
                    }

                    return total;
                }

            case "min":
            case "max":
                {
                    var items = args.Count == 1 ? Materialize(args[0]) : args;
                    if (items.Count == 0)
                    {
                        return kwargs.TryGetValue("default", out var def) ? def : throw new ExpressionException($"{name}() arg is an empty sequence");
                    }

                    kwargs.TryGetValue("key", out var keyFn);
                    var best = items[0];
                    var bestKey = keyFn is null ? best : Invoke(keyFn, [best], []);
                    foreach (var x in items.Skip(1))
                    {
                        var k = keyFn is null ? x : Invoke(keyFn, [x], []);
                        var cmp = PyOps.Compare(k, bestKey);
                        if (name == "min" ? cmp < 0 : cmp > 0)
                        {
                            best = x;
                            bestKey = k;
                        }
                    }

                    return best;
                }

            case "len":
                return Arg(0) switch
                {
                    string s => (long)s.Length,
                    List<object?> li => (long)li.Count,
                    PyTuple t => (long)t.Items.Count,
                    PyDict di => (long)di.Count,
                    PySet se => (long)se.Count,
                    PyRange r => r.Count,
                    var x => throw new ExpressionException($"object of type '{PyOps.TypeName(x)}' has no len()"),
                };
            case "range":
                {
                    var (start, stop, step) = args.Count switch
                    {
                        1 => (0L, PyOps.ToLong(args[0]), 1L),
                        2 => (PyOps.ToLong(args[0]), PyOps.ToLong(args[1]), 1L),
                        3 => (PyOps.ToLong(args[0]), PyOps.ToLong(args[1]), PyOps.ToLong(args[2])),
                        _ => throw new ExpressionException("range expected 1 to 3 arguments"),
                    };
                    return step == 0 ? throw new ExpressionException("range() arg 3 must not be zero") : new PyRange(start, stop, step);
                }

            case "slice":
                throw new ExpressionException("slice objects are not supported; use a[i:j]");
            case "enumerate":
                {
                    var start = args.Count > 1 ? PyOps.ToLong(args[1]) : 0L;
                    return Materialize(Arg(0)).Select((x, i) => (object?)new PyTuple([start + i, x])).ToList();
                }

            case "zip":
                {
                    var lists = args.Select(Materialize).ToList();
                    var n = lists.Count == 0 ? 0 : lists.Min(x => x.Count);
                    return Enumerable.Range(0, n).Select(i => (object?)new PyTuple(lists.Select(x => x[i]).ToList())).ToList();
                }

            case "sorted":
                {
                    var items = Materialize(Arg(0)).ToList();
                    kwargs.TryGetValue("key", out var keyFn);
                    var keys = items.Select(x => keyFn is null ? x : Invoke(keyFn, [x], [])).ToList();
                    var order = Enumerable.Range(0, items.Count).ToList();
                    Tick((long)items.Count * 8);
                    var descending = kwargs.TryGetValue("reverse", out var rev) && PyOps.Truthy(rev);
                    List<int> sortedOrder;
                    try
                    {
                        var comparer = Comparer<object?>.Create((a, b) => PyOps.Compare(a, b));
                        sortedOrder = descending ? [.. order.OrderByDescending(i => keys[i], comparer)] : [.. order.OrderBy(i => keys[i], comparer)];
                    }
                    catch (InvalidOperationException ex) when (ex.InnerException is ExpressionException inner)
                    {
                        // The sort wraps a comparison's error ('<' between an int and a str); it is the expression's error.
                        throw inner;
                    }

                    return sortedOrder.Select(i => items[i]).ToList();
                }

            case "reversed":
                {
                    var items = Materialize(Arg(0)).ToList();
                    items.Reverse();
                    return items;
                }

            case "all":
                return Materialize(Arg(0)).All(PyOps.Truthy);
            case "any":
                return Materialize(Arg(0)).Any(PyOps.Truthy);
            default:
                throw new ExpressionException($"name '{name}' is not defined");
        }
    }

    private List<object?> Materialize(object? iterable)
    {
        var list = new List<object?>();
        foreach (var x in PyOps.Iterate(iterable))
        {
            Tick();
            list.Add(x);
            PyOps.CheckSize(list.Count);
        }

        return list;
    }
}
