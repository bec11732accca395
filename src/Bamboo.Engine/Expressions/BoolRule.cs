using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

/// <summary>The boolrule condition language of gateways (data.md §8): parse errors and evaluation errors are distinct exceptions.</summary>
public static partial class BoolRule
{
    [GeneratedRegex(@"\G[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")]
    private static partial Regex RealPattern();

    [GeneratedRegex(@"\G[+-]?\d+([eE][+-]?\d+)?")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"\G(\$\{)?_?[A-Za-z][A-Za-z0-9_]*\}?(\.(\$\{)?_?[A-Za-z][A-Za-z0-9_]*\}?)*")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"\G(?i:true|false)")]
    private static partial Regex BooleanPattern();

    private static readonly string[] Operators = ["==", "!=", ">=", "<=", ">", "<", "notissuperset", "issuperset", "notin", "in"];

    /// <summary>Evaluates a rendered condition; throws <see cref="ConditionParseException"/> or <see cref="ExpressionException"/>.</summary>
    public static bool Evaluate(string text)
    {
        if (text.Length > ExpressionLimits.MaxExpressionLength)
        {
            throw new ConditionParseException($"condition is {text.Length} characters long, more than {ExpressionLimits.MaxExpressionLength} (ExpressionLimits.MaxExpressionLength)");
        }

        var expanded = ExpandTabs(text);
        if (expanded.Trim() == "*")
        {
            return true;
        }

        var parser = new Parser(expanded);
        var node = parser.ParseExpression();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw new ConditionParseException($"unexpected text at position {parser.Position}: '{parser.Rest}'");
        }

        return node.Evaluate();
    }

    private static string ExpandTabs(string text)
    {
        if (!text.Contains('\t'))
        {
            return text;
        }

        var sb = new StringBuilder();
        var col = 0;
        foreach (var c in text)
        {
            if (c == '\t')
            {
                var spaces = 8 - (col % 8);
                sb.Append(' ', spaces);
                col += spaces;
            }
            else
            {
                sb.Append(c);
                col = c is '\n' or '\r' ? 0 : col + 1;
            }
        }

        return sb.ToString();
    }

    private abstract record Cond
    {
        public abstract bool Evaluate();
    }

    private sealed record Chain(IReadOnlyList<Cond> Items, IReadOnlyList<bool> IsAnd) : Cond
    {
        public override bool Evaluate()
        {
            var result = Items[0].Evaluate();
            for (var i = 0; i < IsAnd.Count; i++)
            {
                if (!IsAnd[i] && result)
                {
                    return true;
                }

                if (IsAnd[i] && !result)
                {
                    return false;
                }

                result = Items[i + 1].Evaluate();
            }

            return result;
        }
    }

    private sealed record Comparison(Operand Left, string Op, Operand Right) : Cond
    {
        public override bool Evaluate() => Compare(Left.Value(), Op, Right.Value());
    }

    private sealed record Operand(object? Raw, bool IsIntegerText, string Text)
    {
        public object? Value()
        {
            if (IsIntegerText)
            {
                if (Text.Contains('e', StringComparison.OrdinalIgnoreCase))
                {
                    throw new ExpressionException($"invalid literal for int() with base 10: '{Text}'");
                }

                // Python's int has no bound; ours is 64 bits, and a longer literal is an evaluation error rather than a crash.
                return long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new ExpressionException($"integer {Text} does not fit in 64 bits");
            }

            return Raw is List<Operand> list ? list.Select(o => o.Value()).ToList() : Raw;
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;
        private int _depth;

        public int Position => _pos;

        public bool AtEnd => _pos >= text.Length;

        public string Rest => text[_pos..];

        public void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\n' or '\r' or '\f' or '\v')
            {
                _pos++;
            }
        }

        public Cond ParseExpression()
        {
            if (++_depth > ExpressionLimits.MaxConditionNesting)
            {
                throw new ConditionParseException($"condition nests parentheses more than {ExpressionLimits.MaxConditionNesting} levels deep (ExpressionLimits.MaxConditionNesting)");
            }

            var items = new List<Cond> { ParseCondition() };
            var ands = new List<bool>();
            while (true)
            {
                SkipSpace();
                if (TryKeyword("and"))
                {
                    ands.Add(true);
                }
                else if (TryKeyword("or"))
                {
                    ands.Add(false);
                }
                else
                {
                    break;
                }

                items.Add(ParseCondition());
            }

            _depth--;
            return new Chain(items, ands);
        }

        private Cond ParseCondition()
        {
            SkipSpace();
            var save = _pos;
            try
            {
                var left = ParseOperand();
                var op = ParseOperator();
                var right = ParseOperand();
                return new Comparison(left, op, right);
            }
            catch (ConditionParseException) when (save < text.Length && text[save] == '(')
            {
                _pos = save + 1;
                var inner = ParseExpression();
                SkipSpace();
                Expect(')');
                return inner;
            }
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (_pos >= text.Length || text[_pos] != c)
            {
                throw new ConditionParseException($"expected '{c}' at position {_pos}");
            }

            _pos++;
        }

        private bool TryKeyword(string word)
        {
            if (string.Compare(text, _pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) != 0)
            {
                return false;
            }

            var end = _pos + word.Length;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            {
                return false;
            }

            _pos = end;
            return true;
        }

        private string ParseOperator()
        {
            SkipSpace();
            foreach (var op in Operators)
            {
                if (char.IsAsciiLetter(op[0]) ? TryKeyword(op) : string.CompareOrdinal(text, _pos, op, 0, op.Length) == 0)
                {
                    if (!char.IsAsciiLetter(op[0]))
                    {
                        _pos += op.Length;
                    }

                    return op.ToLowerInvariant();
                }
            }

            throw new ConditionParseException($"expected a comparison operator at position {_pos}");
        }

        private Operand ParseOperand()
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == '(')
            {
                _pos++;
                var items = new List<Operand> { ParseValue() };
                SkipSpace();
                while (_pos < text.Length && text[_pos] == ',')
                {
                    _pos++;
                    items.Add(ParseValue());
                    SkipSpace();
                }

                Expect(')');
                return new Operand(items, false, "");
            }

            return ParseValue();
        }

        private Operand ParseValue()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw new ConditionParseException("unexpected end of condition");
            }

            var c = text[_pos];
            if (c is '"' or '\'')
            {
                var end = _pos + 1;
                while (end < text.Length && text[end] != c && text[end] is not ('\n' or '\r'))
                {
                    end++;
                }

                if (end >= text.Length || text[end] != c)
                {
                    throw new ConditionParseException($"unterminated string at position {_pos}");
                }

                var raw = text[(_pos + 1)..end];
                _pos = end + 1;
                return new Operand(Unescape(raw), false, raw);
            }

            var m = RealPattern().Match(text, _pos);
            if (m.Success)
            {
                _pos += m.Length;
                return new Operand(double.Parse(m.Value, CultureInfo.InvariantCulture), false, m.Value);
            }

            m = IntegerPattern().Match(text, _pos);
            if (m.Success)
            {
                _pos += m.Length;
                return new Operand(null, true, m.Value);
            }

            m = BooleanPattern().Match(text, _pos);
            if (m.Success)
            {
                _pos += m.Length;
                return new Operand(m.Value.Equals("true", StringComparison.OrdinalIgnoreCase), false, m.Value);
            }

            m = PathPattern().Match(text, _pos);
            if (m.Success)
            {
                _pos += m.Length;
                return new Operand(m.Value, false, m.Value);
            }

            throw new ConditionParseException($"expected a value at position {_pos}");
        }

        private static string Unescape(string raw) => raw
            .Replace("\\t", "\t", StringComparison.Ordinal)
            .Replace("\\n", "\n", StringComparison.Ordinal)
            .Replace("\\f", "\f", StringComparison.Ordinal)
            .Replace("\\r", "\r", StringComparison.Ordinal);
    }

    private static bool Compare(object? left, string op, object? right)
    {
        switch (op)
        {
            case "in":
            case "notin":
                {
                    bool contained;
                    if (right is List<object?> list)
                    {
                        var extended = new List<object?>(list);
                        if (list.Count > 0 && left is bool or long)
                        {
                            extended.AddRange(list.Where(x => PyOps.TryInt(x, out _)).Select(x => { PyOps.TryInt(x, out var v); return (object?)v; }));
                        }
                        else if (list.Count > 0 && left is string)
                        {
                            extended.AddRange(list.Select(x => (object?)PyOps.Str(x)));
                        }

                        contained = extended.Any(x => PyOps.PyEquals(x, left));
                    }
                    else
                    {
                        contained = PyOps.Contains(right, left);
                    }

                    return op == "in" ? contained : !contained;
                }

            case "issuperset":
            case "notissuperset":
                {
                    var l = AsSet(left);
                    var r = AsSet(right);
                    var superset = r.Items.All(l.Contains);
                    return op == "issuperset" ? superset : !superset;
                }
        }

        Coerce(ref left, ref right);
        return op switch
        {
            "==" => PyOps.PyEquals(left, right),
            "!=" => !PyOps.PyEquals(left, right),
            ">" => PyOps.Compare(left, right, ">") > 0,
            "<" => PyOps.Compare(left, right, "<") < 0,
            ">=" => PyOps.Compare(left, right, ">=") >= 0,
            "<=" => PyOps.Compare(left, right, "<=") <= 0,
            _ => throw new ExpressionException($"unknown operator {op}"),
        };
    }

    private static PySet AsSet(object? v)
    {
        var set = new PySet();
        foreach (var x in v is string s ? [s] : PyOps.Iterate(v))
        {
            set.Add(x);
        }

        return set;
    }

    private static void Coerce(ref object? left, ref object? right)
    {
        if (left is bool or long)
        {
            if (!PyOps.TryInt(right, out var r))
            {
                return;
            }

            right = r;
        }
        else if (right is bool or long)
        {
            if (!PyOps.TryInt(left, out var l))
            {
                return;
            }

            left = l;
        }

        if (left is string)
        {
            right = PyOps.Str(right);
        }
        else if (right is string)
        {
            left = PyOps.Str(left);
        }
    }
}
