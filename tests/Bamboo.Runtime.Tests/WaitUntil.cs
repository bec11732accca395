namespace Bamboo.Runtime.Tests;

/// <summary>Bounded polling on a condition: tests wait for the engine this way, never with fixed sleeps.</summary>
internal static class WaitUntil
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
