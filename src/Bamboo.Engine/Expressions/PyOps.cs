using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

/// <summary>Python semantics over our value model: conversion from/to JSON, str/repr, truth, equality and order.</summary>
internal static class PyOps
{
    public const int MaxLength = ExpressionLimits.MaxSize;

    public static object? FromJson(JsonNode? node) => FromJson(node, 0);

    private static object? FromJson(JsonNode? node, int depth)
    {
        if (depth > ExpressionLimits.MaxValueDepth)
        {
            throw new ExpressionException($"a context value nests more than {ExpressionLimits.MaxValueDepth} levels (ExpressionLimits.MaxValueDepth)");
        }

        return node switch
        {
            null => null,
            JsonObject o => ObjectFromJson(o, depth),
            JsonArray a => a.Select(x => FromJson(x, depth + 1)).ToList(),
            JsonValue v => ValueFromJson(v),
            _ => null,
        };
    }

    private static PyDict ObjectFromJson(JsonObject o, int depth)
    {
        var d = new PyDict();
        foreach (var (k, v) in o)
        {
            d[k] = FromJson(v, depth + 1);
        }

        return d;
    }

    private static object? ValueFromJson(JsonValue v)
    {
        if (v.TryGetValue<JsonElement>(out var e))
        {
            return e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => e.TryGetInt64(out var l) && !e.GetRawText().Contains('.') && !e.GetRawText().Contains('e') && !e.GetRawText().Contains('E') ? (object)l : (object)e.GetDouble(),
                _ => null,
            };
        }

        if (v.TryGetValue<string>(out var s))
        {
            return s;
        }

        if (v.TryGetValue<bool>(out var b))
        {
            return b;
        }

        if (v.TryGetValue<long>(out var ln))
        {
            return ln;
        }

        if (v.TryGetValue<int>(out var i))
        {
            return (long)i;
        }

        if (v.TryGetValue<double>(out var d))
        {
            return d;
        }

        return v.ToJsonString();
    }

    public static JsonNode? ToJson(object? value) => value switch
    {
        null or PyNone => null,
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        List<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        PyTuple t => new JsonArray(t.Items.Select(ToJson).ToArray()),
        PySet set => new JsonArray(set.Items.Select(ToJson).ToArray()),
        PyRange r => new JsonArray(r.Items().Select(ToJson).ToArray()),
        PyDict d => DictToJson(d),
        _ => JsonValue.Create(Str(value)),
    };

    private static JsonObject DictToJson(PyDict d)
    {
        var o = new JsonObject();
        foreach (var (k, v) in d.Items)
        {
            o[k is string s ? s : Str(k)] = ToJson(v);
        }

        return o;
    }

    public static string TypeName(object? v) => v switch
    {
        null or PyNone => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        PySet => "set",
        PyRange => "range",
        _ => "object",
    };

    public static bool Truthy(object? v) => v switch
    {
        null or PyNone => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        PyTuple t => t.Items.Count > 0,
        PyDict d => d.Count > 0,
        PySet s => s.Count > 0,
        PyRange r => r.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? v) => v is bool or long or double;

    public static double ToDouble(object? v) => v switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw new ExpressionException($"'{TypeName(v)}' is not a number"),
    };

    public static bool PyEquals(object? a, object? b)
    {
        if (a is PyNone)
        {
            a = null;
        }

        if (b is PyNone)
        {
            b = null;
        }

        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
            {
                return ToDouble(a) == ToDouble(b);
            }

            return ToLong(a) == ToLong(b);
        }

        return (a, b) switch
        {
            (string x, string y) => x == y,
            (List<object?> x, List<object?> y) => SequenceEqual(x, y),
            (PyTuple x, PyTuple y) => SequenceEqual(x.Items, y.Items),
            (PyDict x, PyDict y) => x.Count == y.Count && x.Items.All(kv => y.TryGetValue(kv.Key, out var ov) && PyEquals(kv.Value, ov)),
            (PySet x, PySet y) => x.Count == y.Count && x.Items.All(y.Contains),
            (PyRange x, PyRange y) => x == y,
            _ => ReferenceEquals(a, b),
        };
    }

    public static bool SequenceEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!PyEquals(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static long ToLong(object? v) => v switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw new ExpressionException($"'{TypeName(v)}' is not an integer"),
    };

    /// <summary>Python ordering; unrelated types raise like Python's TypeError, naming <paramref name="op"/> as it does.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
            {
                return ToDouble(a).CompareTo(ToDouble(b));
            }

            return ToLong(a).CompareTo(ToLong(b));
        }

        switch (a, b)
        {
            case (string x, string y):
                return string.CompareOrdinal(x, y) switch { < 0 => -1, > 0 => 1, _ => 0 };
            case (List<object?> x, List<object?> y):
                return CompareSequences(x, y);
            case (PyTuple x, PyTuple y):
                return CompareSequences(x.Items, y.Items);
            default:
                throw new ExpressionException($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
        }
    }

    private static int CompareSequences(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            if (!PyEquals(x[i], y[i]))
            {
                return Compare(x[i], y[i]);
            }
        }

        return x.Count.CompareTo(y.Count);
    }

    /// <summary>Python's str().</summary>
    public static string Str(object? v) => v switch
    {
        string s => s,
        _ => Repr(v),
    };

    /// <summary>Python's repr(); text longer than <see cref="ExpressionLimits.MaxSize"/> fails as it grows (a list of a thousand references to one long string is small until printed).</summary>
    public static string Repr(object? v)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case List<object?> l:
                AppendItems(sb, "[", l, "]");
                break;
            case PyTuple t:
                AppendItems(sb, "(", t.Items, t.Items.Count == 1 ? ",)" : ")");
                break;
            case PyDict d:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in d.Items)
                {
                    sb.Append(first ? "" : ", ");
                    first = false;
                    AppendRepr(sb, key);
                    sb.Append(": ");
                    AppendRepr(sb, value);
                }

                sb.Append('}');
                break;
            case PySet s:
                if (s.Count == 0)
                {
                    sb.Append("set()");
                }
                else
                {
                    AppendItems(sb, "{", [.. s.Items], "}");
                }

                break;
            default:
                sb.Append(v switch
                {
                    null or PyNone => "None",
                    bool b => b ? "True" : "False",
                    long l => l.ToString(CultureInfo.InvariantCulture),
                    double d => FloatRepr(d),
                    string s => StringRepr(s),
                    PyRange r => r.Step == 1 ? $"range({r.Start}, {r.Stop})" : $"range({r.Start}, {r.Stop}, {r.Step})",
                    _ => "<object>",
                });
                break;
        }

        CheckSize(sb.Length);
    }

    private static void AppendItems(StringBuilder sb, string open, IReadOnlyList<object?> items, string close)
    {
        sb.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            sb.Append(i == 0 ? "" : ", ");
            AppendRepr(sb, items[i]);
        }

        sb.Append(close);
    }

    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits, then laid out the way Python's repr does.
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var sign = d < 0 ? "-" : "";
        var mant = shortest.TrimStart('-');
        var exp = 0;
        var ePos = mant.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exp = int.Parse(mant[(ePos + 1)..], CultureInfo.InvariantCulture);
            mant = mant[..ePos];
        }

        var dot = mant.IndexOf('.');
        var intPart = dot >= 0 ? mant[..dot] : mant;
        var fracPart = dot >= 0 ? mant[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0.0";
        }

        // decimal exponent of the first significant digit
        var pointPos = intPart.Length + exp - leadingZeros;
        var sciExp = pointPos - 1;
        if (sciExp < -4 || sciExp >= 16)
        {
            var m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{m}e{(sciExp < 0 ? "-" : "+")}{Math.Abs(sciExp):00}";
        }

        string text;
        if (pointPos <= 0)
        {
            text = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            text = digits + new string('0', pointPos - digits.Length) + ".0";
        }
        else
        {
            text = digits[..pointPos] + "." + digits[pointPos..];
        }

        return sign + text;
    }

    public static string StringRepr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2);
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append($"\\x{(int)c:x2}");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append(quote).ToString();
    }

    /// <summary>Python's int() of a value (truncating floats, parsing trimmed decimal strings).</summary>
    public static bool TryInt(object? v, out long result)
    {
        result = 0;
        switch (v)
        {
            case bool b:
                result = b ? 1 : 0;
                return true;
            case long l:
                result = l;
                return true;
            case double d when !double.IsNaN(d) && !double.IsInfinity(d) && Math.Abs(d) < 9.2e18:
                result = (long)Math.Truncate(d);
                return true;
            case string s:
                var t = s.Trim().Replace("_", "", StringComparison.Ordinal);
                return t.Length > 0 && t.All(c => char.IsAsciiDigit(c) || c is '+' or '-')
                    && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                return false;
        }
    }

    public static bool TryFloat(object? v, out double result)
    {
        result = 0;
        switch (v)
        {
            case bool or long or double:
                result = ToDouble(v);
                return true;
            case string s:
                var t = s.Trim().ToLowerInvariant();
                if (t is "inf" or "+inf" or "infinity")
                {
                    result = double.PositiveInfinity;
                    return true;
                }

                if (t is "-inf" or "-infinity")
                {
                    result = double.NegativeInfinity;
                    return true;
                }

                if (t is "nan")
                {
                    result = double.NaN;
                    return true;
                }

                return t.Length > 0 && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
            default:
                return false;
        }
    }

    public static IEnumerable<object?> Iterate(object? v) => v switch
    {
        string s => s.Select(c => (object?)c.ToString()),
        List<object?> l => l.ToList(),
        PyTuple t => t.Items,
        PyDict d => d.Keys.ToList(),
        PySet s => s.Items.ToList(),
        PyRange r => r.Items(),
        _ => throw new ExpressionException($"'{TypeName(v)}' object is not iterable"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new ExpressionException($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> l => l.Any(x => PyEquals(x, item)),
        PyTuple t => t.Items.Any(x => PyEquals(x, item)),
        PyDict d => d.ContainsKey(item ?? PyNone.Value),
        PySet s => s.Contains(item),
        PyRange r => RangeContains(r, item),
        _ => throw new ExpressionException($"argument of type '{TypeName(container)}' is not iterable"),
    };

    /// <summary>Arithmetic membership: iterating range(10**18) to test it took forever.</summary>
    private static bool RangeContains(PyRange r, object? item)
    {
        if (item is double d && d == Math.Floor(d) && Math.Abs(d) < 9e18)
        {
            item = (long)d;
        }

        if (item is not (long or bool))
        {
            return false;
        }

        var x = ToLong(item);
        var inBounds = r.Step > 0 ? x >= r.Start && x < r.Stop : x <= r.Start && x > r.Stop;
        return inBounds && (x - r.Start) % r.Step == 0;
    }

    public static void CheckSize(long size)
    {
        if (size > MaxLength)
        {
            throw new ExpressionException($"result of {size} characters or items is larger than {MaxLength} (ExpressionLimits.MaxSize)");
        }
    }

    /// <summary><paramref name="count"/> × <paramref name="times"/>, or <see cref="long.MaxValue"/> where that overflows: a size to check before repeating.</summary>
    public static long RepeatedSize(long count, long times) =>
        count == 0 || times == 0 ? 0 : count > long.MaxValue / times ? long.MaxValue : count * times;
}
