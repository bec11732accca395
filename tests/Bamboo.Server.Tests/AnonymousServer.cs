namespace Bamboo.Server.Tests;

/// <summary>A server without tokens and with the default settings, shared by a test class (class fixture).</summary>
public sealed class AnonymousServer() : ServerFactory(tokens: false);
