namespace Bamboo.Engine.Components;

/// <summary>How an activity's schedule phase is driven (stored values match bamboo's).</summary>
public enum ScheduleType
{
    Callback = 1,
    MultipleCallback = 2,
    Poll = 3,
}
