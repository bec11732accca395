namespace Bamboo.Engine.Exceptions;

/// <summary>A node, state, process, schedule or data record does not exist.</summary>
public sealed class NotFoundError(string message) : BambooException(message);
