using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bamboo.Engine.Components.Testkit;

/// <summary>sleep_timer: waits bk_timing seconds (or until a date-time), polling every second.</summary>
public sealed partial class SleepTimer : Service
{
    [GeneratedRegex(@"^\d{1,8}$")]
    private static partial Regex Seconds();

    [GeneratedRegex(@"^(\d{4})-(0[1-9]|1[0-2])-(\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$")]
    private static partial Regex DateTimePattern();

    public override bool NeedSchedule => true;

    public override ScheduleInterval? Interval => ScheduleInterval.Static(1);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        var text = Expressions.PyOps.Str(Expressions.PyOps.FromJson(data.GetOneOfInputs("bk_timing")));
        if (IsValidDate(text))
        {
            data.Outputs["eta"] = text;
            data.Outputs["type"] = "timing";
        }
        else if (Seconds().IsMatch(text))
        {
            data.Outputs["eta"] = text;
            data.Outputs["type"] = "countdown";
        }
        else
        {
            data.Outputs["ex_data"] = $"输入参数{text}不符合【秒(s) 或 时间(%Y-%m-%d %H:%M:%S)】格式";
            return ValueTask.FromResult(false);
        }

        return ValueTask.FromResult(true);
    }

    private static bool IsValidDate(string text)
    {
        var m = DateTimePattern().Match(text);
        if (!m.Success || m.Groups[1].Value == "0000")
        {
            return false;
        }

        var month = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        var max = month switch { 2 => 28, 4 or 6 or 9 or 11 => 30, _ => 31 };
        return day >= 1 && day <= max;
    }

    public override ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default)
    {
        var now = Context.Time.GetUtcNow();
        DateTimeOffset deadline;
        if (data.GetOneOfOutputs("timing_time") is JsonValue stored && stored.TryGetValue<string>(out var iso))
        {
            deadline = DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
        }
        else
        {
            var eta = data.GetOneOfOutputs("eta")?.GetValue<string>() ?? "0";
            deadline = data.GetOneOfOutputs("type")?.GetValue<string>() == "timing"
                ? new DateTimeOffset(DateTime.ParseExact(eta, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), TimeSpan.Zero)
                : now.AddSeconds(long.Parse(eta, CultureInfo.InvariantCulture));
            data.Outputs["timing_time"] = deadline.ToString("O", CultureInfo.InvariantCulture);
        }

        if (deadline <= now)
        {
            FinishSchedule();
        }

        return ValueTask.FromResult(true);
    }
}
