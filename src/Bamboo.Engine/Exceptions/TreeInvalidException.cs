namespace Bamboo.Engine.Exceptions;

/// <summary>The tree is well-formed JSON but not an executable graph (validation.md).</summary>
public class TreeInvalidException(string message) : BambooException(message);
