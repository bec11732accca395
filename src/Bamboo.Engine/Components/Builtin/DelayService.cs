namespace Bamboo.Engine.Components.Builtin;

/// <summary>
/// delay: waits input <c>ms</c> milliseconds (default 1000) without blocking a thread, then copies its inputs to
/// its outputs. Stands in for real work in examples and tests.
/// </summary>
public sealed class DelayService : Service
{
    public override async ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ms = Testkit.Kit.Int(data.GetOneOfInputs("ms"), 1000);
        await Task.Delay(TimeSpan.FromMilliseconds(ms), Context.Time, cancellationToken).ConfigureAwait(false);
        Testkit.Kit.CopyInputs(data);
        return true;
    }
}
