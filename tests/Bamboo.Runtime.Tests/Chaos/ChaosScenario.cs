using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>
/// One situation of the reference engine's chaos tests: a pipeline, the nodes whose steps are faulted, when a run has
/// ended, and what an operator does meanwhile (callback, pause, revoke).
/// </summary>
internal sealed record ChaosScenario(string Name, Pipeline Pipeline, IReadOnlyDictionary<string, string> Nodes, IReadOnlyList<string> Focus)
{
    /// <summary>Whether the run has ended, from the states of the aliased nodes (a missing state reads as null).</summary>
    public Func<Func<string, string?>, bool> Ended { get; init; } = state => state("pipeline") == NodeState.Finished;

    /// <summary>What the operator does during the run, on an engine of its own.</summary>
    public Func<ChaosOperator, Task>? Operator { get; init; }

    public RunPipelineOptions? RunOptions { get; init; }

    public int RerunLimit { get; init; } = 100;

    /// <summary>The pipelines whose contexts are compared (the root and subprocesses), as aliases.</summary>
    public IReadOnlyList<string> Pipelines { get; init; } = ["pipeline"];

    public string Id(string alias) => Nodes[alias];

    public override string ToString() => Name;
}

/// <summary>The operator's handle on a run: its own engine, the gate the <c>chaos_gate</c> component waits for, and state reads.</summary>
internal sealed class ChaosOperator(BambooEngine engine, TaskCompletionSource gate, ChaosScenario scenario)
{
    public BambooEngine Engine { get; } = engine;

    public ChaosScenario Scenario { get; } = scenario;

    public void OpenGate() => gate.TrySetResult();

    public async Task WaitStateAsync(string alias, string state) =>
        await WaitUntil.TrueAsync(async () => (await Engine.Store.ReadAsync(tx => tx.States.GetAsync(Scenario.Id(alias))))?.Name == state,
            TimeSpan.FromSeconds(20), $"{alias} to be {state}");
}
