namespace Bamboo.Engine.Runtime;

/// <summary>
/// Which tasks a worker may claim: those whose requirement it can meet (<see cref="Capabilities"/>; a task that needs
/// no user code has none), and, when <see cref="Roots"/> is set, only those of these runs.
/// </summary>
public sealed record WorkFilter(IReadOnlyCollection<string> Capabilities, IReadOnlyCollection<string>? Roots = null)
{
    /// <summary>Admits every task: for tests and tools that look at the whole queue.</summary>
    public static WorkFilter Any { get; } = new([], null) { AnyRequirement = true };

    /// <summary>When true the capabilities are not checked.</summary>
    public bool AnyRequirement { get; init; }
}
