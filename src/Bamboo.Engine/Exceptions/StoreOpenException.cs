namespace Bamboo.Engine.Exceptions;

/// <summary>
/// A store could not be opened as asked: the path is not a Bamboo store (a folder, a file of another kind, another
/// application's database), it is missing where it may not be created, or its schema is not the one this build
/// uses. The store refuses before it writes anything, so the file is as it was.
/// </summary>
public sealed class StoreOpenException(string path, string problem, Exception? inner = null)
    : BambooException(path.Length == 0 ? problem : $"{path}: {problem}", inner)
{
    /// <summary>The store's path as given, made absolute where it could be.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; } = problem;
}
