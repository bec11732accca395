using System.Runtime.InteropServices;
using Bamboo.Cli.Commands;

namespace Bamboo.Cli;

/// <summary>
/// Ctrl-C (or SIGTERM) once stops a command gently: it is cancelled, and its workers let services in flight finish
/// for the shutdown grace and hand their tasks back; past <c>limit</c> the process ends all the same. A second signal
/// quits at once, as a crash would: nothing committed is lost, and the tasks the process still holds go back to the
/// queue when its lease lapses.
/// </summary>
internal sealed partial class Interrupts : IDisposable
{
    /// <summary>A signal this soon after the first is the same press reaching the process twice (a wrapper forwarding it).</summary>
    private static readonly TimeSpan SamePress = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _cancel;
    private readonly CancellationTokenSource _ended = new();
    private readonly TimeSpan _limit;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private long _firstAt;
    private int _signals;

    public Interrupts(TimeSpan limit, CancellationToken cancellationToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _limit = limit;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first signal (or the caller's token).</summary>
    public CancellationToken Token => _cancel.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _firstAt = Environment.TickCount64;
            if (context.Signal == PosixSignal.SIGINT)
            {
                Console.Error.WriteLine("stopping: work in flight may finish and is handed back; Ctrl-C again quits at once");
            }

            try
            {
                _cancel.Cancel();
                _ = Task.Delay(_limit, _ended.Token).ContinueWith(t =>
                {
                    if (!t.IsCanceled)
                    {
                        Quit("still stopping after " + _limit.TotalSeconds + " s: quitting");
                    }
                }, TaskScheduler.Default);
            }
            catch (ObjectDisposedException)
            {
                // The command has ended already.
            }

            return;
        }

        if (Environment.TickCount64 - Interlocked.Read(ref _firstAt) < SamePress.TotalMilliseconds)
        {
            return;
        }

        Quit("quitting at once: the tasks this process holds go back to the queue when its lease lapses");
    }

    private static void Quit(string why)
    {
        Console.Error.WriteLine(why);
        Console.Out.Flush();
        Console.Error.Flush();
        // Not Environment.Exit: exit handlers would wait for the command, which is what this cuts short.
        if (OperatingSystem.IsWindows())
        {
            ExitProcess(ExitCodes.Interrupted);
        }

        Exit(ExitCodes.Interrupted);
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);

    [LibraryImport("kernel32")]
    private static partial void ExitProcess(int exitCode);

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _ended.Cancel();
        _ended.Dispose();
        _cancel.Dispose();
    }
}
