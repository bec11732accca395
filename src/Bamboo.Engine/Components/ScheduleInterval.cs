namespace Bamboo.Engine.Components;

/// <summary>The delay between polls: value number k follows the k-th schedule call (components.md §5).</summary>
public abstract record ScheduleInterval
{
    public abstract TimeSpan After(int times);

    /// <summary>Always the same delay.</summary>
    public static ScheduleInterval Static(double seconds) => new StaticInterval(seconds);

    /// <summary>k² seconds after the k-th call (bamboo's default generator).</summary>
    public static ScheduleInterval Square { get; } = new SquareInterval();

    /// <summary>k seconds after the k-th call.</summary>
    public static ScheduleInterval Linear { get; } = new LinearInterval();

    private sealed record StaticInterval(double Seconds) : ScheduleInterval
    {
        public override TimeSpan After(int times) => TimeSpan.FromSeconds(Seconds);
    }

    private sealed record SquareInterval : ScheduleInterval
    {
        public override TimeSpan After(int times) => TimeSpan.FromSeconds((double)times * times);
    }

    private sealed record LinearInterval : ScheduleInterval
    {
        public override TimeSpan After(int times) => TimeSpan.FromSeconds(times);
    }
}
