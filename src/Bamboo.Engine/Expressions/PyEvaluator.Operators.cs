using System.Text;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

internal sealed partial class PyEvaluator
{
    private static object? Unary(string op, object? v) => op switch
    {
        "not" => !PyOps.Truthy(v),
        "-" => v switch
        {
            double d => (object)(-d),
            bool or long => (object)checked(-PyOps.ToLong(v)),
            _ => throw new ExpressionException($"bad operand type for unary -: '{PyOps.TypeName(v)}'"),
        },
        "+" => v switch
        {
            double d => (object)d,
            bool or long => (object)PyOps.ToLong(v),
            _ => throw new ExpressionException($"bad operand type for unary +: '{PyOps.TypeName(v)}'"),
        },
        "~" => v is bool or long ? (object)~PyOps.ToLong(v) : throw new ExpressionException($"bad operand type for unary ~: '{PyOps.TypeName(v)}'"),
        _ => throw new ExpressionException($"unsupported operator {op}"),
    };

    private object? Binary(string op, object? a, object? b)
    {
        try
        {
            return op switch
            {
                "+" => Add(a, b),
                "-" => Arith(a, b, (x, y) => checked(x - y), (x, y) => x - y, "-"),
                "*" => Multiply(a, b),
                "/" => Divide(a, b),
                "//" => FloorDivide(a, b),
                "%" => a is string fmt ? Format(fmt, b) : Modulo(a, b),
                "**" => Power(a, b),
                _ => throw new ExpressionException($"unsupported operator {op}"),
            };
        }
        catch (OverflowException)
        {
            throw new ExpressionException("integer result too large");
        }
    }

    private object? Add(object? a, object? b)
    {
        switch (a, b)
        {
            case (string x, string y):
                PyOps.CheckSize((long)x.Length + y.Length);
                Tick(x.Length + y.Length);
                return x + y;
            case (List<object?> x, List<object?> y):
                PyOps.CheckSize((long)x.Count + y.Count);
                Tick(x.Count + y.Count);
                return x.Concat(y).ToList();
            case (PyTuple x, PyTuple y):
                return new PyTuple(x.Items.Concat(y.Items).ToList());
            default:
                return Arith(a, b, (x, y) => checked(x + y), (x, y) => x + y, "+");
        }
    }

    private object? Multiply(object? a, object? b)
    {
        if (a is bool or long && b is string or List<object?> or PyTuple)
        {
            (a, b) = (b, a);
        }

        if (b is bool or long)
        {
            // The size is checked before anything is built, without overflowing: 'ab' * 2**62 wrapped to a negative size.
            var n = Math.Max(0, PyOps.ToLong(b));
            switch (a)
            {
                case string s:
                    PyOps.CheckSize(PyOps.RepeatedSize(s.Length, n));
                    Tick(PyOps.RepeatedSize(s.Length, n));
                    return new StringBuilder(s.Length * (int)n).Insert(0, s, (int)n).ToString();
                case List<object?> l:
                    PyOps.CheckSize(PyOps.RepeatedSize(l.Count, n));
                    Tick(PyOps.RepeatedSize(l.Count, n));
                    return Enumerable.Repeat(l, (int)n).SelectMany(x => x).ToList();
                case PyTuple t:
                    PyOps.CheckSize(PyOps.RepeatedSize(t.Items.Count, n));
                    Tick(PyOps.RepeatedSize(t.Items.Count, n));
                    return new PyTuple(Enumerable.Repeat(t.Items, (int)n).SelectMany(x => x).ToList());
            }
        }

        return Arith(a, b, (x, y) => checked(x * y), (x, y) => x * y, "*");
    }

    private static object? Arith(object? a, object? b, Func<long, long, long> ints, Func<double, double, double> floats, string op)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw new ExpressionException($"unsupported operand type(s) for {op}: '{PyOps.TypeName(a)}' and '{PyOps.TypeName(b)}'");
        }

        return a is double || b is double
            ? (object)floats(PyOps.ToDouble(a), PyOps.ToDouble(b))
            : (object)ints(PyOps.ToLong(a), PyOps.ToLong(b));
    }

    private static object? Divide(object? a, object? b)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw new ExpressionException($"unsupported operand type(s) for /: '{PyOps.TypeName(a)}' and '{PyOps.TypeName(b)}'");
        }

        var d = PyOps.ToDouble(b);
        return d == 0 ? throw new ExpressionException("division by zero") : PyOps.ToDouble(a) / d;
    }

    private static object? FloorDivide(object? a, object? b)
    {
        if (a is double || b is double)
        {
            var d = PyOps.ToDouble(b);
            return d == 0 ? throw new ExpressionException("float floor division by zero") : (object)Math.Floor(PyOps.ToDouble(a) / d);
        }

        var x = PyOps.ToLong(a);
        var y = PyOps.ToLong(b);
        if (y == 0)
        {
            throw new ExpressionException("integer division or modulo by zero");
        }

        var q = x / y;
        return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
    }

    private static object? Modulo(object? a, object? b)
    {
        if (a is double || b is double)
        {
            var x = PyOps.ToDouble(a);
            var y = PyOps.ToDouble(b);
            if (y == 0)
            {
                throw new ExpressionException("float modulo");
            }

            var r = x % y;
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }

        var i = PyOps.ToLong(a);
        var j = PyOps.ToLong(b);
        if (j == 0)
        {
            throw new ExpressionException("integer division or modulo by zero");
        }

        var m = i % j;
        return m != 0 && (m < 0) != (j < 0) ? m + j : m;
    }

    private object? Power(object? a, object? b)
    {
        if (a is double || b is double)
        {
            return Math.Pow(PyOps.ToDouble(a), PyOps.ToDouble(b));
        }

        var x = PyOps.ToLong(a);
        var y = PyOps.ToLong(b);
        if (y < 0)
        {
            return Math.Pow(x, y);
        }

        // The bases whose powers never overflow; any other base overflows within 63 multiplications.
        switch (x)
        {
            case 0:
                return y == 0 ? 1L : 0L;
            case 1:
                return 1L;
            case -1:
                return y % 2 == 0 ? 1L : -1L;
        }

        long result = 1;
        for (long i = 0; i < y; i++)
        {
            Tick();
            result = checked(result * x);
        }

        return result;
    }

    /// <summary>printf-style <c>'%s-%d' % (a, b)</c> formatting.</summary>
    private string Format(string format, object? args)
    {
        var text = FormatText(format, args);
        PyOps.CheckSize(text.Length);
        Tick(text.Length);
        return text;
    }

    private static string FormatText(string format, object? args)
    {
        var values = args is PyTuple t ? t.Items.ToList() : [args];
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (++i >= format.Length)
            {
                throw new ExpressionException("incomplete format");
            }

            if (format[i] == '%')
            {
                sb.Append('%');
                continue;
            }

            var spec = new StringBuilder();
            while (i < format.Length && "-+ 0#.123456789".Contains(format[i], StringComparison.Ordinal))
            {
                spec.Append(format[i++]);
            }

            if (i >= format.Length)
            {
                throw new ExpressionException("incomplete format");
            }

            if (next >= values.Count)
            {
                throw new ExpressionException("not enough arguments for format string");
            }

            var value = values[next++];
            var conv = format[i];
            var text = conv switch
            {
                's' => PyOps.Str(value),
                'r' => PyOps.Repr(value),
                'd' or 'i' => PyOps.TryInt(value is string ? throw new ExpressionException("%d format: a number is required, not str") : value, out var l) ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : throw new ExpressionException("%d format: a number is required"),
                'f' or 'F' => PyOps.ToDouble(value).ToString("F" + Precision(spec.ToString(), 6), System.Globalization.CultureInfo.InvariantCulture),
                'x' => PyOps.ToLong(value).ToString("x", System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new ExpressionException($"unsupported format character '{conv}'"),
            };
            var width = Width(spec.ToString());
            sb.Append(spec.ToString().StartsWith('-') ? text.PadRight(width) : text.PadLeft(width, spec.ToString().StartsWith('0') && conv != 's' ? '0' : ' '));
        }

        if (next < values.Count)
        {
            throw new ExpressionException("not all arguments converted during string formatting");
        }

        return sb.ToString();
    }

    private static int Precision(string spec, int fallback)
    {
        var dot = spec.IndexOf('.');
        return dot >= 0 && int.TryParse(spec[(dot + 1)..], out var p) ? Math.Min(p, 50) : fallback;
    }

    private static int Width(string spec)
    {
        var digits = new string(spec.TrimStart('-', '+', ' ', '0', '#').TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(digits, out var w) ? Math.Min(w, 1000) : 0;
    }
}
