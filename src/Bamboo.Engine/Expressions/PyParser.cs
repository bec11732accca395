using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

/// <summary>Recursive-descent parser for one Python expression, with a nesting limit (<see cref="ExpressionLimits.MaxNesting"/>) so hostile input cannot overflow the stack.</summary>
internal sealed class PyParser
{

    private readonly List<PyToken> _tokens;
    private int _pos;
    private int _depth;

    private PyParser(List<PyToken> tokens) => _tokens = tokens;

    public static PyExpr Parse(string text)
    {
        if (text.Length > ExpressionLimits.MaxExpressionLength)
        {
            throw new ExpressionException($"expression is {text.Length} characters long, more than {ExpressionLimits.MaxExpressionLength} (ExpressionLimits.MaxExpressionLength)");
        }

        var parser = new PyParser(PyLexer.Tokenize(text));
        var expr = parser.ParseTupleOrExpr();
        if (parser.Peek.Kind != PyTokenKind.End)
        {
            throw parser.Error("unexpected token");
        }

        return expr;
    }

    private PyToken Peek => _tokens[_pos];

    private ExpressionException Error(string message) =>
        new($"{message} '{Peek.Text}' at position {Peek.Position}");

    private bool IsOp(string op) => Peek.Kind == PyTokenKind.Op && Peek.Text == op;

    private bool IsName(string name) => Peek.Kind == PyTokenKind.Name && Peek.Text == name;

    private bool AcceptOp(string op)
    {
        if (!IsOp(op))
        {
            return false;
        }

        _pos++;
        return true;
    }

    private bool AcceptName(string name)
    {
        if (!IsName(name))
        {
            return false;
        }

        _pos++;
        return true;
    }

    private void ExpectOp(string op)
    {
        if (!AcceptOp(op))
        {
            throw Error($"expected '{op}' but found");
        }
    }

    private string ExpectIdentifier()
    {
        if (Peek.Kind != PyTokenKind.Name || IsKeyword(Peek.Text))
        {
            throw Error("expected a name but found");
        }

        return _tokens[_pos++].Text;
    }

    private static bool IsKeyword(string s) => s is "and" or "or" or "not" or "in" or "is" or "if" or "else" or "for" or "lambda"
        or "None" or "True" or "False" or "import" or "from" or "def" or "class" or "return" or "yield" or "await" or "async";

    private void Enter()
    {
        if (++_depth > ExpressionLimits.MaxNesting)
        {
            throw new ExpressionException($"expression nests more than {ExpressionLimits.MaxNesting} levels (ExpressionLimits.MaxNesting; brackets, unary operators and each operator of a chain count)");
        }
    }

    private PyExpr ParseTupleOrExpr()
    {
        var first = ParseExpr();
        if (!IsOp(","))
        {
            return first;
        }

        var items = new List<PyExpr> { first };
        while (AcceptOp(","))
        {
            if (StartsExpression())
            {
                items.Add(ParseExpr());
            }
        }

        return new TupleExpr(items);
    }

    private bool StartsExpression() => Peek.Kind switch
    {
        PyTokenKind.End => false,
        PyTokenKind.Op => Peek.Text is "(" or "[" or "{" or "-" or "+" or "~",
        PyTokenKind.Name => Peek.Text is not ("for" or "if" or "else" or "in" or "and" or "or"),
        _ => true,
    };

    private PyExpr ParseExpr()
    {
        Enter();
        try
        {
            if (AcceptName("lambda"))
            {
                var ps = new List<string>();
                while (!IsOp(":"))
                {
                    ps.Add(ExpectIdentifier());
                    if (!AcceptOp(","))
                    {
                        break;
                    }
                }

                ExpectOp(":");
                return new LambdaExpr(ps, ParseExpr());
            }

            if (AcceptName("import") || IsName("from"))
            {
                throw new ExpressionException("import is not allowed");
            }

            var body = ParseOr();
            if (AcceptName("if"))
            {
                var test = ParseOr();
                if (!AcceptName("else"))
                {
                    throw Error("expected 'else' but found");
                }

                return new ConditionalExpr(test, body, ParseExpr());
            }

            return body;
        }
        finally
        {
            _depth--;
        }
    }

    private PyExpr ParseOr()
    {
        var left = ParseAnd();
        if (!IsName("or"))
        {
            return left;
        }

        var values = new List<PyExpr> { left };
        while (AcceptName("or"))
        {
            values.Add(ParseAnd());
        }

        return new BoolExpr(false, values);
    }

    private PyExpr ParseAnd()
    {
        var left = ParseNot();
        if (!IsName("and"))
        {
            return left;
        }

        var values = new List<PyExpr> { left };
        while (AcceptName("and"))
        {
            values.Add(ParseNot());
        }

        return new BoolExpr(true, values);
    }

    private PyExpr ParseNot()
    {
        if (AcceptName("not"))
        {
            Enter();
            try
            {
                return new UnaryExpr("not", ParseNot());
            }
            finally
            {
                _depth--;
            }
        }

        return ParseComparison();
    }

    private PyExpr ParseComparison()
    {
        var left = ParseArith();
        var ops = new List<string>();
        var rights = new List<PyExpr>();
        while (true)
        {
            string? op = null;
            if (Peek.Kind == PyTokenKind.Op && Peek.Text is "<" or ">" or "==" or "!=" or "<=" or ">=")
            {
                op = _tokens[_pos++].Text;
            }
            else if (AcceptName("in"))
            {
                op = "in";
            }
            else if (IsName("not") && _tokens[_pos + 1].Kind == PyTokenKind.Name && _tokens[_pos + 1].Text == "in")
            {
                _pos += 2;
                op = "not in";
            }
            else if (AcceptName("is"))
            {
                op = AcceptName("not") ? "is not" : "is";
            }

            if (op is null)
            {
                break;
            }

            ops.Add(op);
            rights.Add(ParseArith());
        }

        return ops.Count == 0 ? left : new CompareExpr(left, ops, rights);
    }

    private PyExpr ParseArith()
    {
        // Each operator of a chain nests the tree one level deeper (((a + b) + c) + d), so it counts as nesting.
        var left = ParseTerm();
        var wraps = 0;
        while (Peek.Kind == PyTokenKind.Op && Peek.Text is "+" or "-")
        {
            Enter();
            wraps++;
            var op = _tokens[_pos++].Text;
            left = new BinaryExpr(op, left, ParseTerm());
        }

        _depth -= wraps;
        return left;
    }

    private PyExpr ParseTerm()
    {
        var left = ParseUnary();
        var wraps = 0;
        while (Peek.Kind == PyTokenKind.Op && Peek.Text is "*" or "/" or "//" or "%")
        {
            Enter();
            wraps++;
            var op = _tokens[_pos++].Text;
            left = new BinaryExpr(op, left, ParseUnary());
        }

        _depth -= wraps;
        return left;
    }

    private PyExpr ParseUnary()
    {
        if (Peek.Kind == PyTokenKind.Op && Peek.Text is "-" or "+" or "~")
        {
            var op = _tokens[_pos++].Text;
            Enter();
            try
            {
                return new UnaryExpr(op, ParseUnary());
            }
            finally
            {
                _depth--;
            }
        }

        return ParsePower();
    }

    private PyExpr ParsePower()
    {
        var baseExpr = ParsePostfix();
        if (AcceptOp("**"))
        {
            Enter();
            try
            {
                return new BinaryExpr("**", baseExpr, ParseUnary());
            }
            finally
            {
                _depth--;
            }
        }

        return baseExpr;
    }

    private PyExpr ParsePostfix()
    {
        var expr = ParseAtom();
        var wraps = 0;
        while (Peek.Kind == PyTokenKind.Op && Peek.Text is "." or "(" or "[")
        {
            Enter();
            wraps++;
            if (AcceptOp("."))
            {
                expr = new AttributeExpr(expr, ExpectIdentifier());
            }
            else if (AcceptOp("("))
            {
                expr = ParseCall(expr);
            }
            else
            {
                _pos++;
                expr = new SubscriptExpr(expr, ParseSubscript());
                ExpectOp("]");
            }
        }

        _depth -= wraps;
        return expr;
    }

    private PyExpr ParseCall(PyExpr function)
    {
        var args = new List<PyExpr>();
        var keywords = new List<(string, PyExpr)>();
        while (!IsOp(")"))
        {
            if (Peek.Kind == PyTokenKind.Name && _tokens[_pos + 1].Kind == PyTokenKind.Op && _tokens[_pos + 1].Text == "=")
            {
                var name = ExpectIdentifier();
                _pos++;
                keywords.Add((name, ParseExpr()));
            }
            else if (IsOp("*"))
            {
                throw Error("argument unpacking is not supported");
            }
            else
            {
                var arg = ParseExpr();
                if (IsName("for"))
                {
                    arg = new ComprehensionExpr("gen", arg, null, ParseClauses());
                }

                args.Add(arg);
            }

            if (!AcceptOp(","))
            {
                break;
            }
        }

        ExpectOp(")");
        return new CallExpr(function, args, keywords);
    }

    private PyExpr ParseSubscript()
    {
        PyExpr? lower = null;
        if (!IsOp(":"))
        {
            lower = ParseExpr();
            if (!IsOp(":"))
            {
                if (IsOp(","))
                {
                    var items = new List<PyExpr> { lower };
                    while (AcceptOp(","))
                    {
                        if (!IsOp("]"))
                        {
                            items.Add(ParseExpr());
                        }
                    }

                    return new TupleExpr(items);
                }

                return lower;
            }
        }

        ExpectOp(":");
        PyExpr? upper = null;
        PyExpr? step = null;
        if (!IsOp("]") && !IsOp(":"))
        {
            upper = ParseExpr();
        }

        if (AcceptOp(":") && !IsOp("]"))
        {
            step = ParseExpr();
        }

        return new SliceExpr(lower, upper, step);
    }

    private List<ComprehensionClause> ParseClauses()
    {
        var clauses = new List<ComprehensionClause>();
        while (AcceptName("for"))
        {
            var targets = new List<string>();
            var isTuple = false;
            var paren = AcceptOp("(");
            targets.Add(ExpectIdentifier());
            while (AcceptOp(","))
            {
                isTuple = true;
                targets.Add(ExpectIdentifier());
            }

            if (paren)
            {
                ExpectOp(")");
                isTuple = true;
            }

            if (!AcceptName("in"))
            {
                throw Error("expected 'in' but found");
            }

            var iter = ParseOr();
            var conditions = new List<PyExpr>();
            while (AcceptName("if"))
            {
                conditions.Add(ParseOr());
            }

            clauses.Add(new ComprehensionClause(targets, isTuple, iter, conditions));
        }

        return clauses;
    }

    private PyExpr ParseAtom()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case PyTokenKind.Number:
                _pos++;
                return new ConstExpr(t.Value);
            case PyTokenKind.String:
                _pos++;
                return new ConstExpr(t.Value);
            case PyTokenKind.Name:
                switch (t.Text)
                {
                    case "None":
                        _pos++;
                        return new ConstExpr(null);
                    case "True":
                        _pos++;
                        return new ConstExpr(true);
                    case "False":
                        _pos++;
                        return new ConstExpr(false);
                }

                return new NameExpr(ExpectIdentifier());
            case PyTokenKind.Op when t.Text == "(":
                return ParseParenthesised();
            case PyTokenKind.Op when t.Text == "[":
                return ParseList();
            case PyTokenKind.Op when t.Text == "{":
                return ParseBrace();
            default:
                throw Error("unexpected token");
        }
    }

    private PyExpr ParseParenthesised()
    {
        _pos++;
        Enter();
        try
        {
            if (AcceptOp(")"))
            {
                return new TupleExpr([]);
            }

            var first = ParseExpr();
            if (IsName("for"))
            {
                var gen = new ComprehensionExpr("gen", first, null, ParseClauses());
                ExpectOp(")");
                return gen;
            }

            if (AcceptOp(")"))
            {
                return first;
            }

            var items = new List<PyExpr> { first };
            while (AcceptOp(","))
            {
                if (IsOp(")"))
                {
                    break;
                }

                items.Add(ParseExpr());
            }

            ExpectOp(")");
            return new TupleExpr(items);
        }
        finally
        {
            _depth--;
        }
    }

    private PyExpr ParseList()
    {
        _pos++;
        Enter();
        try
        {
            var items = new List<PyExpr>();
            if (AcceptOp("]"))
            {
                return new ListExpr(items);
            }

            var first = ParseExpr();
            if (IsName("for"))
            {
                var comp = new ComprehensionExpr("list", first, null, ParseClauses());
                ExpectOp("]");
                return comp;
            }

            items.Add(first);
            while (AcceptOp(","))
            {
                if (IsOp("]"))
                {
                    break;
                }

                items.Add(ParseExpr());
            }

            ExpectOp("]");
            return new ListExpr(items);
        }
        finally
        {
            _depth--;
        }
    }

    private PyExpr ParseBrace()
    {
        _pos++;
        Enter();
        try
        {
            if (AcceptOp("}"))
            {
                return new DictExpr([]);
            }

            var first = ParseExpr();
            if (AcceptOp(":"))
            {
                var value = ParseExpr();
                if (IsName("for"))
                {
                    var comp = new ComprehensionExpr("dict", first, value, ParseClauses());
                    ExpectOp("}");
                    return comp;
                }

                var pairs = new List<(PyExpr, PyExpr)> { (first, value) };
                while (AcceptOp(","))
                {
                    if (IsOp("}"))
                    {
                        break;
                    }

                    var k = ParseExpr();
                    ExpectOp(":");
                    pairs.Add((k, ParseExpr()));
                }

                ExpectOp("}");
                return new DictExpr(pairs);
            }

            if (IsName("for"))
            {
                var comp = new ComprehensionExpr("set", first, null, ParseClauses());
                ExpectOp("}");
                return comp;
            }

            var items = new List<PyExpr> { first };
            while (AcceptOp(","))
            {
                if (IsOp("}"))
                {
                    break;
                }

                items.Add(ParseExpr());
            }

            ExpectOp("}");
            return new SetExpr(items);
        }
        finally
        {
            _depth--;
        }
    }
}
