using System.Globalization;

namespace Bamboo.LoadDriver;

/// <summary>What the clients of one phase measured, merged.</summary>
internal sealed class Result
{
    private readonly Lock _lock = new();
    private readonly List<double> _states = [];
    private readonly List<double> _runs = [];
    private readonly Dictionary<string, int> _errors = [];

    public int Errors
    {
        get
        {
            lock (_lock)
            {
                return _errors.Values.Sum();
            }
        }
    }

    public void AddStates(List<double> latencies)
    {
        lock (_lock)
        {
            _states.AddRange(latencies);
        }
    }

    public void AddRuns(List<double> latencies)
    {
        lock (_lock)
        {
            _runs.AddRange(latencies);
        }
    }

    public void Error(string what)
    {
        lock (_lock)
        {
            _errors[what] = _errors.GetValueOrDefault(what) + 1;
        }
    }

    public void Print(TimeSpan length)
    {
        lock (_lock)
        {
            _states.Sort();
            _runs.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"state queries: {_states.Count / length.TotalSeconds:F0}/s ({_states.Count}), p50 {Percentile(_states, 50):F2} ms, p99 {Percentile(_states, 99):F2} ms, max {(_states.Count > 0 ? _states[^1] : 0):F1} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"3-node runs, start to finished over HTTP: {_runs.Count / length.TotalSeconds:F0}/s ({_runs.Count}), p50 {Percentile(_runs, 50):F2} ms, p99 {Percentile(_runs, 99):F2} ms"));
            Console.WriteLine($"errors: {_errors.Values.Sum()}" + string.Concat(_errors.Select(e => $"\n  {e.Value} × {e.Key}")));
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
}
