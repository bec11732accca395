namespace Bamboo.Engine.Expressions;

/// <summary>Expression nodes of the Python subset that templates may use.</summary>
internal abstract record PyExpr;

internal sealed record ConstExpr(object? Value) : PyExpr;

internal sealed record NameExpr(string Id) : PyExpr;

internal sealed record AttributeExpr(PyExpr Target, string Name) : PyExpr;

internal sealed record SubscriptExpr(PyExpr Target, PyExpr Index) : PyExpr;

internal sealed record SliceExpr(PyExpr? Lower, PyExpr? Upper, PyExpr? Step) : PyExpr;

internal sealed record CallExpr(PyExpr Function, IReadOnlyList<PyExpr> Args, IReadOnlyList<(string Name, PyExpr Value)> Keywords) : PyExpr;

internal sealed record BinaryExpr(string Op, PyExpr Left, PyExpr Right) : PyExpr;

internal sealed record UnaryExpr(string Op, PyExpr Operand) : PyExpr;

internal sealed record BoolExpr(bool IsAnd, IReadOnlyList<PyExpr> Values) : PyExpr;

internal sealed record CompareExpr(PyExpr Left, IReadOnlyList<string> Ops, IReadOnlyList<PyExpr> Comparators) : PyExpr;

internal sealed record ConditionalExpr(PyExpr Test, PyExpr Body, PyExpr OrElse) : PyExpr;

internal sealed record ListExpr(IReadOnlyList<PyExpr> Items) : PyExpr;

internal sealed record TupleExpr(IReadOnlyList<PyExpr> Items) : PyExpr;

internal sealed record SetExpr(IReadOnlyList<PyExpr> Items) : PyExpr;

internal sealed record DictExpr(IReadOnlyList<(PyExpr Key, PyExpr Value)> Items) : PyExpr;

/// <summary>One <c>for target in iter if cond...</c> clause; the target is a name or a tuple of names.</summary>
internal sealed record ComprehensionClause(IReadOnlyList<string> Targets, bool TargetIsTuple, PyExpr Iter, IReadOnlyList<PyExpr> Conditions);

/// <summary>List, set, dict or generator comprehension (<see cref="Kind"/> is "list", "set", "dict" or "gen").</summary>
internal sealed record ComprehensionExpr(string Kind, PyExpr Element, PyExpr? Value, IReadOnlyList<ComprehensionClause> Clauses) : PyExpr;

internal sealed record LambdaExpr(IReadOnlyList<string> Parameters, PyExpr Body) : PyExpr;
