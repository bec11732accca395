using System.Text.Json.Nodes;
using Bamboo.Engine.Components;

namespace Bamboo.Runtime.Tests.Probes;

/// <summary>poll_probe: polls every 100 ms and finishes on its input <c>polls</c>-th poll (default 3), recording each poll in the <see cref="ProbeLog"/> folder <c>log</c>.</summary>
[Component("poll_probe")]
public sealed class PollProbeService : Service
{
    public override bool NeedSchedule => true;

    public override ScheduleInterval? Interval => ScheduleInterval.Static(0.1);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        data.Outputs["polled"] = 0;
        return ValueTask.FromResult(true);
    }

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        var polled = (data.GetOneOfOutputs("polled")?.GetValue<int>() ?? 0) + 1;
        data.Outputs["polled"] = polled;
        if (data.GetOneOfInputs("log")?.GetValue<string>() is { } log)
        {
            ProbeLog.Record(log, Context.NodeId);
        }

        if (polled >= (data.GetOneOfInputs("polls")?.GetValue<int>() ?? 3))
        {
            FinishSchedule();
        }

        return ValueTask.FromResult(true);
    }
}
