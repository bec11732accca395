namespace Bamboo.Engine.Exceptions;

/// <summary>A gateway condition does not follow the boolrule grammar.</summary>
public sealed class ConditionParseException(string message) : ExpressionException(message);
