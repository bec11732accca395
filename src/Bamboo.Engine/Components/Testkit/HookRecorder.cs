using System.Text.Json.Nodes;

namespace Bamboo.Engine.Components.Testkit;

/// <summary>The hook_* components: an inner kit service plus a record of every hook call in its outputs (testkit.md §2).</summary>
public sealed class HookRecorder(Service inner) : Service
{
    public override bool NeedSchedule => inner.NeedSchedule;

    public override ScheduleInterval? Interval => inner.Interval;

    public override bool MultiCallbackEnabled => inner.MultiCallbackEnabled;

    public override bool NeedRunHook => true;

    private static void Record(ExecutionData data, string name)
    {
        data.Outputs[name] = Kit.Int(data.GetOneOfOutputs(name), 0) + 1;
        if (data.Outputs["hook_call_order"] is not JsonArray order)
        {
            order = [];
            data.Outputs["hook_call_order"] = order;
        }

        order.Add((JsonNode)JsonValue.Create(name));
    }

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        Record(data, "execute");
        inner.Context = Context;
        return inner.ExecuteAsync(data, parentData, cancellationToken);
    }

    public override async ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        Record(data, "schedule");
        inner.Context = Context;
        var result = await inner.ScheduleAsync(data, parentData, callbackData, cancellationToken).ConfigureAwait(false);
        if (inner.IsScheduleFinished)
        {
            FinishSchedule();
        }

        return result;
    }

    public override ValueTask<bool> OnHookAsync(ServiceHook hook, ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        // Quirk kept from the kit: the pause hook records the resume name.
        Record(data, hook == ServiceHook.PrePauseNode ? "pre_resume_node" : hook.Name());
        return ValueTask.FromResult(true);
    }
}
