namespace Bamboo.Engine.Exceptions;

/// <summary>The pipeline tree JSON does not have the documented shape; <see cref="Path"/> names the field.</summary>
public sealed class PipelineFormatException(string path, string problem)
    : BambooException($"{path}: {problem}")
{
    public string Path { get; } = path;

    public string Problem { get; } = problem;
}
