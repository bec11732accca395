namespace Bamboo.Engine.Model;

/// <summary>Pipeline variables, exported keys and keys frozen at start.</summary>
public sealed record PipelineData(IReadOnlyDictionary<string, Var> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> PreRenderKeys)
{
    public static PipelineData Empty { get; } = new(new Dictionary<string, Var>(), [], []);
}
