using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine;

/// <summary>
/// One engine: the store it runs on, the components it can run, its settings and its clock. The state machine, the
/// workers and the API of one engine share it; two engines in one process share nothing.
/// </summary>
public sealed class BambooEngine
{
    public BambooEngine(IEngineStore store, ComponentRegistry components, EngineOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(components);
        Store = store;
        Components = components;
        Options = options ?? new EngineOptions();
        Time = time ?? TimeProvider.System;
        Compiled = new CompiledPipelineCache();
    }

    public IEngineStore Store { get; }

    public ComponentRegistry Components { get; }

    public EngineOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>Runs parsed once per process; runs never change once started.</summary>
    internal CompiledPipelineCache Compiled { get; }

    /// <summary>What this engine's workers can claim: everything its components can run, optionally only some runs.</summary>
    public WorkFilter WorkFilter(IReadOnlyCollection<string>? roots = null) => new(Components.Capabilities(), roots);
}
