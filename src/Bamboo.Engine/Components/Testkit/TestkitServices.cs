using System.Text.Json.Nodes;

namespace Bamboo.Engine.Components.Testkit;

/// <summary>Shared helpers of the test component kit (testkit.md).</summary>
internal static class Kit
{
    public static void CopyInputs(ExecutionData data)
    {
        foreach (var (k, v) in data.Inputs)
        {
            data.Outputs[k] = v?.DeepClone();
        }
    }

    public static long Int(JsonNode? node, long fallback)
    {
        if (node is null)
        {
            return fallback;
        }

        var value = Expressions.PyOps.FromJson(node);
        return Expressions.PyOps.TryInt(value, out var l) ? l : throw new FormatException($"invalid literal for int(): {node.ToJsonString()}");
    }

    public static bool Truthy(JsonNode? node) => Expressions.PyOps.Truthy(Expressions.PyOps.FromJson(node));

    public static ValueTask<bool> True => ValueTask.FromResult(true);
}

/// <summary>debug_node: polls once (interval 0) and copies its inputs.</summary>
public class DebugNode : Service
{
    public override bool NeedSchedule => true;

    public override ScheduleInterval? Interval => ScheduleInterval.Static(0);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        Kit.CopyInputs(data);
        return Kit.True;
    }

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        FinishSchedule();
        return Kit.True;
    }
}

/// <summary>debug_no_schedule_node, interrupt_test and pipe_example_component: copy inputs, no schedule.</summary>
public sealed class CopyInputsNode(bool countExecute = false) : Service
{
    public CopyInputsNode()
        : this(false)
    {
    }

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        Kit.CopyInputs(data);
        if (countExecute)
        {
            data.Outputs["execute_count"] = 1;
        }

        return Kit.True;
    }
}

/// <summary>empty_node and example_component: succeed, write nothing.</summary>
public sealed class EmptyNode : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) => Kit.True;
}

/// <summary>schedule_node: polls every 2 s until output count reaches 5.</summary>
public sealed class ScheduleNode : Service
{
    public override bool NeedSchedule => true;

    public override ScheduleInterval? Interval => ScheduleInterval.Static(2);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        Kit.CopyInputs(data);
        return Kit.True;
    }

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        var count = data.GetOneOfOutputs("count");
        if (count is null)
        {
            data.Outputs["count"] = 1;
        }
        else if (Kit.Int(count, 0) == 5)
        {
            FinishSchedule();
        }
        else
        {
            data.Outputs["count"] = Kit.Int(count, 0) + 1;
        }

        return Kit.True;
    }
}

/// <summary>loop_count_node: records its loop and copies inputs.</summary>
public sealed class LoopCountNode : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        data.Outputs["loop"] = data.GetOneOfInputs("_loop")?.DeepClone();
        Kit.CopyInputs(data);
        return Kit.True;
    }
}

/// <summary>loop_count_s_node: polls three times (1 s), then records its loop and copies inputs.</summary>
public sealed class LoopCountScheduleNode : Service
{
    public override bool NeedSchedule => true;

    public override ScheduleInterval? Interval => ScheduleInterval.Static(1);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) => Kit.True;

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        var count = data.GetOneOfOutputs("count");
        if (count is null)
        {
            data.Outputs["count"] = 1;
        }
        else if (Kit.Int(count, 0) == 2)
        {
            data.Outputs["loop"] = data.GetOneOfInputs("_loop")?.DeepClone();
            Kit.CopyInputs(data);
            FinishSchedule();
        }
        else
        {
            data.Outputs["count"] = Kit.Int(count, 0) + 1;
        }

        return Kit.True;
    }
}

/// <summary>fail_at_second_node: fails on loop 1 unless input can_go is truthy.</summary>
public sealed class FailAtSecondNode : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        if (Kit.Int(data.GetOneOfInputs("_loop"), 0) == 1 && !Kit.Truthy(data.GetOneOfInputs("can_go")))
        {
            return ValueTask.FromResult(false);
        }

        data.Outputs["loop"] = data.GetOneOfInputs("_loop")?.DeepClone();
        Kit.CopyInputs(data);
        return Kit.True;
    }
}

/// <summary>fail_ctrl_node: succeeds only when input bit is 1 (non-numeric bit raises).</summary>
public sealed class FailCtrlNode : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Kit.Int(data.GetOneOfInputs("bit"), 0) != 0);
}

/// <summary>dummy_exec_node / interrupt_dummy_exec_node: sleeps input time seconds in execute.</summary>
public sealed class DummyExecNode(bool countExecute) : Service
{
    public DummyExecNode()
        : this(false)
    {
    }

    public override async ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        var seconds = data.GetOneOfInputs("time") ?? throw new KeyNotFoundException("input 'time' is required");
        await Task.Delay(TimeSpan.FromSeconds(Kit.Int(seconds, 0)), Context.Time, cancellationToken).ConfigureAwait(false);
        if (countExecute)
        {
            data.Outputs["execute_count"] = 1;
        }

        return true;
    }
}

/// <summary>callback_node: one callback finishes it unless callback data has bit == 0 (or lacks bit while non-empty).</summary>
public class CallbackNode : Service
{
    public override bool NeedSchedule => true;

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) => Kit.True;

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(!(callbackData is { Count: > 0 } && Kit.Int(callbackData["bit"], 0) == 0));
}

/// <summary>debug_callback_node: a non-empty callback without bit 0 finishes it.</summary>
public sealed class DebugCallbackNode : Service
{
    public override bool NeedSchedule => true;

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) => Kit.True;

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        if (callbackData is { Count: > 0 } && Kit.Int(callbackData["bit"], 1) == 1)
        {
            FinishSchedule();
            return Kit.True;
        }

        return ValueTask.FromResult(false);
    }
}

/// <summary>multi_callback_node: each callback takes 2 s; five successful ones finish it.</summary>
public class MultiCallbackNode : Service
{
    public override bool NeedSchedule => true;

    public override bool MultiCallbackEnabled => true;

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) => Kit.True;

    public override async ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        var n = Kit.Int(data.GetOneOfOutputs("_scheduled_times"), 0);
        await Task.Delay(TimeSpan.FromSeconds(2), Context.Time, cancellationToken).ConfigureAwait(false);
        if (callbackData is { Count: > 0 } && Kit.Int(callbackData["bit"], 0) == 0)
        {
            return false;
        }

        n++;
        data.Outputs["_scheduled_times"] = n;
        if (n == 5)
        {
            FinishSchedule();
        }

        return true;
    }
}

/// <summary>interrupt_schedule_test / interrupt_raise_test: poll once; optionally raise in execute or schedule.</summary>
public class InterruptRaiseTest : Service
{
    public override bool NeedSchedule => true;

    public override ScheduleInterval? Interval => ScheduleInterval.Static(0);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        if (Kit.Truthy(data.GetOneOfInputs("execute_raise")))
        {
            throw new InvalidOperationException("execute raise");
        }

        Kit.CopyInputs(data);
        data.Outputs["execute_count"] = 1;
        return Kit.True;
    }

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        if (Kit.Truthy(data.GetOneOfInputs("schedule_raise")))
        {
            throw new InvalidOperationException("schedule raise");
        }

        data.Outputs["schedule_count"] = 1;
        FinishSchedule();
        return Kit.True;
    }
}
