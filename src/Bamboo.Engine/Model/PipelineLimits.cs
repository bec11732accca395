namespace Bamboo.Engine.Model;

/// <summary>
/// Bounds on a pipeline tree. bamboo has none of its own (Python's recursion limit and the database's column sizes
/// stop it somewhere); these keep loading and validating a hostile or runaway tree within the process's stack and
/// memory, and each error names the limit it hit. They are far above what real pipelines use.
/// </summary>
public static class PipelineLimits
{
    /// <summary>Subprocess levels below the root pipeline (a subprocess inside a subprocess is two levels).</summary>
    public const int MaxSubprocessDepth = 100;

    /// <summary>
    /// Nesting of objects and arrays in the tree's JSON text: deep enough for <see cref="MaxSubprocessDepth"/> levels
    /// of subprocesses (three JSON levels each) with room left for variable values.
    /// </summary>
    public const int MaxJsonDepth = 512;

    /// <summary>
    /// Gateways that the validator follows from one gateway before reaching a converge gateway: blocks nested in
    /// blocks, and gateways chained without converging. Each is a level of recursion when pairing gateways with their
    /// converge gateways.
    /// </summary>
    public const int MaxGatewayNesting = 500;

    /// <summary>Nodes (events, activities and gateways) in the whole tree, every level counted.</summary>
    public const int MaxNodeCount = 1_000_000;

    /// <summary>Flows in the whole tree, every level counted: twice the nodes, as a parallel gateway's branches need.</summary>
    public const int MaxFlowCount = 2 * MaxNodeCount;

    /// <summary>
    /// Characters in a pipeline, node or flow id. bamboo's builder makes 33-character ids and its Django runtime stores
    /// no longer ones; a lazy input's context key, which embeds its node's id, is limited to 128 characters as well.
    /// </summary>
    public const int MaxIdLength = 128;
}
