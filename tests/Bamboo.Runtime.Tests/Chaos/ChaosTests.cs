namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>
/// For each situation of the reference engine's chaos tests: the undisturbed run is recorded; then, for every storage
/// operation of every step that touches the situation's nodes, one run fails the operation before it writes, one after,
/// and one kills the worker's process right after it; one more run kills the process just after each such step commits.
/// Every run must end as the undisturbed one did (states, data, histories, schedules, contexts) with each service's
/// execute and schedule run as often. The one exception is the README's: a process killed before a service's result
/// committed (during the call, or in the step applying it) may see the service run once more elsewhere.
/// </summary>
public abstract class ChaosTests(string dialect)
{
    public static TheoryData<string> Scenarios() => [.. ChaosScenarios.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Fault_AtEveryOperationOfTheStep_EndsAsUndisturbed(string name)
    {
        var scenario = ChaosScenarios.Named(name);
        var baseline = await ChaosRunner.RunAsync(dialect, scenario, null);
        if (baseline is null)
        {
            Assert.Skip($"{Workers.PostgresScratch.Variable} is not set");
        }

        var plans = PlansFor(scenario, baseline.Log).ToList();
        Assert.NotEmpty(plans);
        var failures = new List<string>();
        foreach (var plan in plans)
        {
            try
            {
                var run = (await ChaosRunner.RunAsync(dialect, scenario, plan))!;
                failures.AddRange(Check(scenario, baseline, plan, run));
            }
            catch (TimeoutException ex)
            {
                failures.Add($"{plan}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {plans.Count} faulted runs of {name} went wrong:\n" + string.Join("\n\n", failures.Take(5))
            + $"\n\nundisturbed:\n{baseline.Snapshot}\n" + string.Join("\n", baseline.Log));
    }

    /// <summary>Every operation of every write transaction that touches a focus node, in each mode, and a kill after each such commit.</summary>
    private static IEnumerable<FaultPlan> PlansFor(ChaosScenario scenario, IReadOnlyList<TransactionLog> log)
    {
        foreach (var tx in log.Where(t => t.Committed && t.Ops.Any(o => o.Subject is { } s && scenario.Focus.Contains(s))))
        {
            for (var op = 0; op < tx.Ops.Count; op++)
            {
                yield return new FaultPlan(tx.Ordinal, op, FaultMode.FailBefore);
                yield return new FaultPlan(tx.Ordinal, op, FaultMode.FailAfter);
                yield return new FaultPlan(tx.Ordinal, op, FaultMode.Kill);
            }

            yield return new FaultPlan(tx.Ordinal, -1, FaultMode.KillAfterCommit);
        }
    }

    private static IEnumerable<string> Check(ChaosScenario scenario, ChaosOutcome baseline, FaultPlan plan, ChaosOutcome run)
    {
        var target = baseline.Log[plan.Transaction];
        var where = plan.Mode == FaultMode.KillAfterCommit ? "after commit" : $"at {target.Ops[plan.Op].Name}";
        if (!run.Fired)
        {
            yield return $"{plan} ({where}): the fault never fired; the run took another path:\n" + string.Join("\n", run.Log);
            yield break;
        }

        if (run.Snapshot != baseline.Snapshot)
        {
            yield return $"{plan} ({where}): ended differently:\n{run.Snapshot}";
        }

        // A kill before the result of a call committed may run that call once more (README, Guarantees).
        var uncommitted = plan.Mode == FaultMode.Kill ? target.Ops.Select(o => o.Subject).OfType<string>().ToHashSet() : [];
        var expected = baseline.Total;
        foreach (var key in expected.Keys.Union(run.Total.Keys))
        {
            var want = expected.GetValueOrDefault(key);
            var got = run.Total.GetValueOrDefault(key);
            var node = key.Split(' ')[0];
            var mayRepeat = run.Killed && uncommitted.Contains(node) && run.First.ContainsKey(key) && run.Second.ContainsKey(key);
            if (got != want && !(mayRepeat && got == want + 1))
            {
                var alias = scenario.Nodes.FirstOrDefault(kv => kv.Value == node).Key ?? node;
                yield return $"{plan} ({where}): {alias} {key.Split(' ')[1]} ran {got} times, {want} undisturbed";
            }
        }
    }
}

public sealed class SqliteChaosTests() : ChaosTests("sqlite");

public sealed class PostgresChaosTests() : ChaosTests("postgres");
