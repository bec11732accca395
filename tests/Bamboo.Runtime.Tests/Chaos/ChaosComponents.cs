using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Bamboo.Engine.Components;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>How often each node's execute and schedule ran in one engine (one simulated process).</summary>
internal sealed class CallCounts
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string nodeId, string phase) => _counts.AddOrUpdate(nodeId + " " + phase, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts);

    /// <summary>The nodes that ran any call here.</summary>
    public IEnumerable<string> Nodes => _counts.Keys.Select(k => k.Split(' ')[0]);
}

/// <summary>
/// The components of the chaos pipelines, counting their calls: <c>chaos_act</c> (outputs its input <c>in</c> as
/// <c>out</c>), <c>chaos_fail</c> (execute returns false), <c>chaos_poll</c> (polled, finishes on the first poll),
/// <c>chaos_callback</c> (finishes on a callback), <c>chaos_schedule_fail</c> (its poll returns false) and
/// <c>chaos_gate</c> (waits for the test's gate, as a long call during which an operator acts), plus the executable end
/// event <c>chaos_raise_end</c>, which throws.
/// </summary>
internal static class ChaosComponents
{
    public static ComponentRegistry Registry(CallCounts counts, Task gate) => new ComponentRegistry()
        .AddComponent("chaos_act", () => new Act(counts))
        .AddComponent("chaos_fail", () => new Fail(counts))
        .AddComponent("chaos_poll", () => new Poll(counts, ok: true))
        .AddComponent("chaos_schedule_fail", () => new Poll(counts, ok: false))
        .AddComponent("chaos_callback", () => new Callback(counts))
        .AddComponent("chaos_gate", () => new Gate(counts, gate))
        .AddEndEvent("chaos_raise_end", () => new RaisingEnd());

    private sealed class Act(CallCounts counts) : Service
    {
        public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "execute");
            data.Outputs["out"] = data.GetOneOfInputs("in")?.DeepClone() ?? "done";
            return ValueTask.FromResult(true);
        }
    }

    private sealed class Fail(CallCounts counts) : Service
    {
        public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "execute");
            data.Outputs["out"] = "failed";
            return ValueTask.FromResult(false);
        }
    }

    private sealed class Poll(CallCounts counts, bool ok) : Service
    {
        public override bool NeedSchedule => true;

        public override ScheduleInterval? Interval => ScheduleInterval.Static(0.001);

        public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "execute");
            data.Outputs["out"] = "executed";
            return ValueTask.FromResult(true);
        }

        public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "schedule");
            data.Outputs["out"] = "scheduled";
            FinishSchedule();
            return ValueTask.FromResult(ok);
        }
    }

    private sealed class Callback(CallCounts counts) : Service
    {
        public override bool NeedSchedule => true;

        public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "execute");
            return ValueTask.FromResult(true);
        }

        public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "schedule");
            data.Outputs["out"] = callbackData?["value"]?.DeepClone();
            return ValueTask.FromResult(true);
        }
    }

    private sealed class Gate(CallCounts counts, Task gate) : Service
    {
        public override async ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            counts.Add(Context.NodeId, "execute");
            await gate.WaitAsync(cancellationToken);
            data.Outputs["out"] = "passed";
            return true;
        }
    }

    private sealed class RaisingEnd : IExecutableEndEvent
    {
        public void Execute(bool inSubprocess, string rootPipelineId, string pipelineId) => throw new InvalidOperationException("chaos_raise_end raises");
    }
}
