namespace Bamboo.Engine.Exceptions;

/// <summary>A versioned state write lost a race: the node moved on to another version.</summary>
public sealed class StateVersionNotMatchException(string message) : BambooException(message);
