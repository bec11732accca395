namespace Bamboo.Engine.Exceptions;

/// <summary>A template or condition could not be parsed or evaluated.</summary>
public class ExpressionException(string message) : BambooException(message);
