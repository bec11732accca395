using System.Diagnostics;
using Bamboo.Engine.Components;

namespace Bamboo.Runtime.Tests.Probes;

/// <summary>
/// probe: a component that misbehaves on request, for tests in this process and in worker processes (which load it
/// with <c>--components Bamboo.Runtime.Tests.dll</c>). Inputs, all optional: <c>log</c> names a folder where every
/// execution leaves a file of its own (see <see cref="ProbeLog"/>; appending lines to one file from several threads and
/// processes loses lines);
/// <c>gate</c> blocks the thread until that file exists, <c>spin_gate</c> keeps a core busy until it does;
/// <c>block_ms</c> blocks the thread (Thread.Sleep, the way plugin authors write blocking I/O); <c>spin_ms</c> keeps
/// a core busy that long.
/// </summary>
[Component("probe")]
public sealed class ProbeService : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        if (data.GetOneOfInputs("log")?.GetValue<string>() is { } log)
        {
            ProbeLog.Record(log, Context.NodeId);
        }

        if (data.GetOneOfInputs("gate")?.GetValue<string>() is { } gate)
        {
            // Blocking on purpose: the thread is lost to the engine until the test opens the gate.
            while (!File.Exists(gate))
            {
                Thread.Sleep(5);
            }
        }

        if (data.GetOneOfInputs("spin_gate")?.GetValue<string>() is { } spinGate)
        {
            while (!File.Exists(spinGate))
            {
                Thread.SpinWait(1000);
            }
        }

        if (data.GetOneOfInputs("block_ms")?.GetValue<int>() is int blockMs)
        {
            Thread.Sleep(blockMs);
        }

        if (data.GetOneOfInputs("spin_ms")?.GetValue<int>() is int spinMs)
        {
            var spinning = Stopwatch.StartNew();
            while (spinning.ElapsedMilliseconds < spinMs)
            {
                Thread.SpinWait(1000);
            }
        }

        data.Outputs["pid"] = Environment.ProcessId;
        return ValueTask.FromResult(true);
    }
}
