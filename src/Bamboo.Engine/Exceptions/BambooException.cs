namespace Bamboo.Engine.Exceptions;

/// <summary>Root of every exception Bamboo throws on purpose.</summary>
public class BambooException : Exception
{
    public BambooException(string message) : base(message) { }

    public BambooException(string message, Exception? inner) : base(message, inner) { }
}
