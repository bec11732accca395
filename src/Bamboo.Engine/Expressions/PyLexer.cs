using System.Globalization;
using System.Text;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

internal enum PyTokenKind
{
    Name,
    Number,
    String,
    Op,
    End,
}

internal readonly record struct PyToken(PyTokenKind Kind, string Text, object? Value, int Position);

/// <summary>Splits a one-line Python expression into tokens.</summary>
internal static class PyLexer
{
    private static readonly string[] Operators =
    [
        "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "->",
        "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "|", "&", "^", "~", "@",
    ];

    public static List<PyToken> Tokenize(string text)
    {
        var tokens = new List<PyToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t')
            {
                i++;
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_' || c > 127 && char.IsLetter(c))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_' || text[i] > 127 && char.IsLetterOrDigit(text[i])))
                {
                    i++;
                }

                var word = text[start..i];
                if (i < text.Length && text[i] is '\'' or '"' && word.ToLowerInvariant() is "r" or "u" or "b" or "rb" or "br")
                {
                    tokens.Add(ReadString(text, ref i, raw: word.Contains('r', StringComparison.OrdinalIgnoreCase), start));
                    continue;
                }

                tokens.Add(new PyToken(PyTokenKind.Name, word, null, start));
                continue;
            }

            if (char.IsAsciiDigit(c) || c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            if (c is '\'' or '"')
            {
                tokens.Add(ReadString(text, ref i, raw: false, i));
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                ?? throw new ExpressionException($"unexpected character '{c}' at position {i}");
            tokens.Add(new PyToken(PyTokenKind.Op, op, null, i));
            i += op.Length;
        }

        tokens.Add(new PyToken(PyTokenKind.End, "", null, text.Length));
        return tokens;
    }

    private static PyToken ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
        {
            var radix = char.ToLowerInvariant(text[i + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            i += 2;
            var ds = i;
            while (i < text.Length && (char.IsAsciiHexDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            var digits = text[ds..i].Replace("_", "", StringComparison.Ordinal);
            try
            {
                return new PyToken(PyTokenKind.Number, text[start..i], Convert.ToInt64(digits, radix), start);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                // "0x", "0b12" and 0xFFFFFFFFFFFFFFFFF are not 64-bit literals of their base.
                throw new ExpressionException($"invalid or too large literal {text[start..i]} at position {start}");
            }
        }

        var isFloat = false;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        if (i < text.Length && text[i] == '.')
        {
            isFloat = true;
            i++;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var save = i;
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            if (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                isFloat = true;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
            else
            {
                i = save;
            }
        }

        var raw = text[start..i].Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            return new PyToken(PyTokenKind.Number, raw, double.Parse(raw, CultureInfo.InvariantCulture), start);
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
            ? new PyToken(PyTokenKind.Number, raw, l, start)
            : throw new ExpressionException($"integer literal {raw} is too large");
    }

    private static PyToken ReadString(string text, ref int i, bool raw, int start)
    {
        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        i += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new ExpressionException($"unterminated string starting at position {start}");
            }

            var c = text[i];
            if (triple ? c == quote && i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote : c == quote)
            {
                i += triple ? 3 : 1;
                break;
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                var n = text[i + 1];
                if (raw)
                {
                    sb.Append(c).Append(n);
                }
                else
                {
                    sb.Append(n switch
                    {
                        'n' => "\n",
                        't' => "\t",
                        'r' => "\r",
                        '0' => "\0",
                        '\\' => "\\",
                        '\'' => "'",
                        '"' => "\"",
                        _ => "\\" + n,
                    });
                }

                i += 2;
                continue;
            }

            sb.Append(c);
            i++;
        }

        // Adjacent literals concatenate, as in Python.
        var value = sb.ToString();
        var j = i;
        while (j < text.Length && text[j] == ' ')
        {
            j++;
        }

        if (j < text.Length && text[j] is '\'' or '"')
        {
            i = j;
            var next = ReadString(text, ref i, raw: false, j);
            value += (string)next.Value!;
        }

        return new PyToken(PyTokenKind.String, text[start..i], value, start);
    }
}
