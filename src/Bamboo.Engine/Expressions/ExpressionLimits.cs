namespace Bamboo.Engine.Expressions;

/// <summary>
/// Bounds on evaluating <c>${...}</c> templates and gateway conditions. Mako and boolrule have none of their own
/// (Python's recursion limit and the machine's memory stop them); here a template or condition that would run too long,
/// recurse too deep or build too large a value fails with an <see cref="Exceptions.ExpressionException"/> naming the limit,
/// and a template that fails is left verbatim, as bamboo leaves any template whose evaluation raises.
/// </summary>
public static class ExpressionLimits
{
    /// <summary>Characters in one template expression or one condition.</summary>
    public const int MaxExpressionLength = 10_000;

    /// <summary>
    /// Nesting of one expression as parsed: brackets, unary operators, conditional expressions, lambdas, and each
    /// operator of a chain such as <c>a + b + c</c> or <c>a[0][1]</c>. CPython's parser stops at 200 nested brackets.
    /// </summary>
    public const int MaxNesting = 100;

    /// <summary>Nested evaluation steps at run time: expression nesting plus lambda calls (a lambda calling itself).</summary>
    public const int MaxRecursionDepth = 300;

    /// <summary>
    /// Work one template may do: each evaluated node is a step, and building a string, list or range costs one step per
    /// character or item.
    /// </summary>
    public const int MaxSteps = 200_000;

    /// <summary>
    /// Work all the templates of one rendered value may do together (an input with a thousand templates), each
    /// character they write into it counted as a step too.
    /// </summary>
    public const int MaxStepsPerRender = 10_000_000;

    /// <summary>Characters of a string, or items of a list, tuple, set or dict, that an expression may build or print.</summary>
    public const int MaxSize = 1_000_000;

    /// <summary>Nesting of a context value (lists and objects) that a template reads or renders.</summary>
    public const int MaxValueDepth = 512;

    /// <summary>Nesting of parentheses in a gateway condition.</summary>
    public const int MaxConditionNesting = 64;
}
