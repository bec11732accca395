using System.Globalization;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

internal sealed partial class PyEvaluator
{
    private object? CallMethod(object? target, string name, List<object?> args, Dictionary<string, object?> kwargs)
    {
        object? Arg(int i) => i < args.Count ? args[i] : throw new ExpressionException($"{name}() missing argument {i + 1}");
        string StrArg(int i) => Arg(i) as string ?? throw new ExpressionException($"{name}() argument must be str, not {PyOps.TypeName(Arg(i))}");
        switch (target)
        {
            case string s:
                Tick(s.Length);
                switch (name)
                {
                    case "upper": return s.ToUpperInvariant();
                    case "lower": return s.ToLowerInvariant();
                    case "strip": return args.Count > 0 && args[0] is string cs ? s.Trim(cs.ToCharArray()) : s.Trim();
                    case "lstrip": return args.Count > 0 && args[0] is string ls ? s.TrimStart(ls.ToCharArray()) : s.TrimStart();
                    case "rstrip": return args.Count > 0 && args[0] is string rs ? s.TrimEnd(rs.ToCharArray()) : s.TrimEnd();
                    case "replace":
                        {
                            var old = StrArg(0);
                            var replacement = StrArg(1);
                            if (old.Length == 0)
                            {
                                return s;
                            }

                            // Sized before it is built: a megabyte string replacing each of its own characters is 10**12 characters.
                            var size = s.Length + ((long)CountOccurrences(s, old) * (replacement.Length - old.Length));
                            PyOps.CheckSize(size);
                            Tick(size);
                            return s.Replace(old, replacement, StringComparison.Ordinal);
                        }

                    case "split":
                    case "rsplit":
                        {
                            var sep = args.Count > 0 ? args[0] as string : (kwargs.TryGetValue("sep", out var ks) ? ks as string : null);
                            var parts = sep is null
                                ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                                : sep.Length == 0 ? throw new ExpressionException("empty separator") : s.Split(sep);
                            return parts.Select(p => (object?)p).ToList();
                        }

                    case "splitlines": return s.Split('\n').Select(p => (object?)p.TrimEnd('\r')).ToList();
                    case "join":
                        {
                            var items = Materialize(Arg(0));
                            if (items.Any(x => x is not string))
                            {
                                throw new ExpressionException("sequence item: expected str instance");
                            }

                            var size = items.Sum(x => (long)((string)x!).Length) + ((long)s.Length * Math.Max(0, items.Count - 1));
                            PyOps.CheckSize(size);
                            Tick(size);
                            return string.Join(s, items.Cast<string>());
                        }

                    case "startswith": return Arg(0) is PyTuple st ? st.Items.Any(p => s.StartsWith(AsString(p, name), StringComparison.Ordinal)) : s.StartsWith(StrArg(0), StringComparison.Ordinal);
                    case "endswith": return Arg(0) is PyTuple et ? et.Items.Any(p => s.EndsWith(AsString(p, name), StringComparison.Ordinal)) : s.EndsWith(StrArg(0), StringComparison.Ordinal);
                    case "count": return (long)CountOccurrences(s, StrArg(0));
                    case "find": return (long)s.IndexOf(StrArg(0), StringComparison.Ordinal);
                    case "rfind": return (long)s.LastIndexOf(StrArg(0), StringComparison.Ordinal);
                    case "index":
                        {
                            var i = s.IndexOf(StrArg(0), StringComparison.Ordinal);
                            return i >= 0 ? (long)i : throw new ExpressionException("substring not found");
                        }

                    case "isdigit": return s.Length > 0 && s.All(char.IsDigit);
                    case "isalpha": return s.Length > 0 && s.All(char.IsLetter);
                    case "isalnum": return s.Length > 0 && s.All(char.IsLetterOrDigit);
                    case "isspace": return s.Length > 0 && s.All(char.IsWhiteSpace);
                    case "isupper": return s.Any(char.IsLetter) && !s.Any(char.IsLower);
                    case "islower": return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
                    case "title": return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(s.ToLowerInvariant());
                    case "capitalize": return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
                    case "zfill":
                        {
                            var width = (int)Math.Clamp(PyOps.ToLong(Arg(0)), 0, PyOps.MaxLength);
                            Tick(width);
                            return s.PadLeft(width, '0');
                        }
                }

                break;
            case List<object?> l:
                switch (name)
                {
                    case "count": return (long)l.Count(x => PyOps.PyEquals(x, Arg(0)));
                    case "index":
                        {
                            var i = l.FindIndex(x => PyOps.PyEquals(x, Arg(0)));
                            return i >= 0 ? (long)i : throw new ExpressionException("value is not in list");
                        }
                }

                break;
            case PyTuple t:
                switch (name)
                {
                    case "count": return (long)t.Items.Count(x => PyOps.PyEquals(x, Arg(0)));
                    case "index":
                        {
                            var i = t.Items.ToList().FindIndex(x => PyOps.PyEquals(x, Arg(0)));
                            return i >= 0 ? (long)i : throw new ExpressionException("value is not in tuple");
                        }
                }

                break;
            case PyDict d:
                switch (name)
                {
                    case "get": return d.TryGetValue(HashKey(Arg(0)), out var v) ? v : (args.Count > 1 ? args[1] : null);
                    case "keys": return d.Keys.Select(k => k is PyNone ? null : k).ToList();
                    case "values": return d.Items.Select(kv => kv.Value).ToList();
                    case "items": return d.Items.Select(kv => (object?)new PyTuple([kv.Key is PyNone ? null : kv.Key, kv.Value])).ToList();
                }

                break;
        }

        throw new ExpressionException($"'{PyOps.TypeName(target)}' object has no attribute '{name}'");
    }

    private static string AsString(object? value, string method) =>
        value as string ?? throw new ExpressionException($"{method}() tuple items must be str, not {PyOps.TypeName(value)}");

    private static int CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return s.Length + 1;
        }

        var count = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
