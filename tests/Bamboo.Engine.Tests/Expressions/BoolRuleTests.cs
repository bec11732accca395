using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Expressions;

namespace Bamboo.Engine.Tests.Expressions;

public sealed class BoolRuleTests
{
    [Theory]
    [InlineData("1 == 1", true)]
    [InlineData("\"1\" == 1", true)]
    [InlineData("1 == \"1\"", true)]
    [InlineData("1.0 == 1", true)]
    [InlineData("True == True", true)]
    [InlineData("True == true", true)]
    [InlineData("TRUE == true", true)]
    [InlineData("True == False", false)]
    [InlineData("true == 1", true)]
    [InlineData("false == 0", true)]
    [InlineData("\"1\" == True", true)]
    [InlineData("\"0\" == False", true)]
    [InlineData("true == \"true\"", false)]
    [InlineData("\"3.14\" == 3.14", true)]
    [InlineData("1.5 == 1", true)]
    [InlineData("\"1.0\" == 1", false)]
    [InlineData("123 == \"123a\"", false)]
    [InlineData("2 > \"10\"", false)]
    [InlineData("\"2\" > \"10\"", true)]
    [InlineData("10 > \"9\"", true)]
    [InlineData("abc == abc", true)]
    [InlineData("${x} == \"${x}\"", true)]
    [InlineData("a.b == \"a.b\"", true)]
    [InlineData("None == \"None\"", true)]
    [InlineData("1 in (1, 2)", true)]
    [InlineData("1 in (\"1\", \"2\")", true)]
    [InlineData("\"1\" in (1, 2)", true)]
    [InlineData("\"a\" in \"abc\"", true)]
    [InlineData("1 in (1)", true)]
    [InlineData("\"a\" in (\"abc\")", false)]
    [InlineData("1 in (\"11\", 2)", false)]
    [InlineData("1 notin (1, 2)", false)]
    [InlineData("(1, 2, 3) issuperset (1, 2)", true)]
    [InlineData("(1, \"a\") issuperset (\"a\")", true)]
    [InlineData("\"abc\" issuperset \"a\"", false)]
    [InlineData("(1, 2) notissuperset (1)", false)]
    [InlineData("1 == 0 and 1 == 1 or 1 == 1", false)]
    [InlineData("(1 == 0 and 1 == 1) or 1 == 1", true)]
    [InlineData("1 == 1 or 1 == 0 and 1 == 0", true)]
    [InlineData("1 == 1 and (2 == 3 or 3 == 3)", true)]
    [InlineData("1 == 1 AND 2 == 2", true)]
    [InlineData("1 != 1 OR 2 == 2", true)]
    [InlineData("1 IN (1, 2)", true)]
    [InlineData("-5 > -6", true)]
    [InlineData("+5 == 5", true)]
    [InlineData(".5 == 0.5", true)]
    [InlineData("5. == 5", true)]
    [InlineData("1.5e3 == 1500", true)]
    [InlineData("*", true)]
    public void Evaluate_TruthTable_MatchesBoolrule(string expression, bool expected)
    {
        Assert.Equal(expected, BoolRule.Evaluate(expression));
    }

    [Theory]
    [InlineData("1 = 1")]
    [InlineData("True")]
    [InlineData("1 < 2 < 3")]
    [InlineData("1 == 1 and")]
    [InlineData("hello world == \"x\"")]
    [InlineData("false_flag == 1")]
    public void Evaluate_BadGrammar_ThrowsParseError(string expression)
    {
        Assert.Throws<ConditionParseException>(() => BoolRule.Evaluate(expression));
    }

    [Theory]
    [InlineData("2 > \"abc\"")]
    [InlineData("1 in \"123\"")]
    [InlineData("1e3 == 1000")]
    public void Evaluate_BadOperands_ThrowsEvaluationError(string expression)
    {
        var ex = Assert.ThrowsAny<ExpressionException>(() => BoolRule.Evaluate(expression));
        Assert.IsNotType<ConditionParseException>(ex);
    }

    [Theory]
    [InlineData("\"abc\" >= 2", ">=")]
    [InlineData("\"abc\" <= 2", "<=")]
    [InlineData("\"abc\" > 2", ">")]
    [InlineData("\"abc\" < 2", "<")]
    public void Evaluate_UnorderableOperands_TheErrorNamesTheOperatorUsed(string expression, string op)
    {
        var ex = Assert.ThrowsAny<ExpressionException>(() => BoolRule.Evaluate(expression));

        Assert.Equal($"'{op}' not supported between instances of 'str' and 'int'", ex.Message);
    }
}
