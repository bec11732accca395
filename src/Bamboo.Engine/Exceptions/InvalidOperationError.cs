namespace Bamboo.Engine.Exceptions;

/// <summary>An API precondition does not hold (bamboo's InvalidOperationError).</summary>
public sealed class InvalidOperationError(string message) : BambooException(message);
