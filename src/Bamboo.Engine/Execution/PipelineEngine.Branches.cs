using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>
    /// Runs the first walk of each branch a fork created in this transaction, in this transaction (up to each
    /// branch's first activity, which the walk leaves RUNNING for its service to run after the commit): each branch
    /// saves a queued task, a claim and a commit of its own. A branch's task exists only in memory until it needs a row: when the
    /// branch waits on a service or continues in a later transaction, its task is stored, leased to this worker,
    /// and this worker follows it. Branches beyond the budget were queued by the fork as usual.
    /// </summary>
    private async ValueTask<StepOutcome> StartBranchesAsync(IStoreTransaction tx, TaskRecord task, Branches branches, StepOutcome own, CancellationToken cancellationToken)
    {
        if (branches.Forked.Count == 0)
        {
            return own;
        }

        var started = new List<(TaskRecord Task, StepOutcome Outcome)>();
        // Indexed: a branch that forks again appends its own children, which start here too.
        for (var i = 0; i < branches.Forked.Count; i++)
        {
            var child = branches.Forked[i];
            // Held by the forking task's worker: stored, it can only be taken over if that worker dies.
            var branchTask = TaskRecord.Execute(child.RootPipelineId, child.Id, child.CurrentNodeId) with { LeaseOwner = task.LeaseOwner, Attempts = 1 };
            var compiled = await CompiledAsync(tx, child.RootPipelineId).ConfigureAwait(false);
            var outcome = await WalkAsync(tx, branchTask, child, compiled, child.CurrentNodeId, new UserCodeResults(_components), cancellationToken, stored: child, branches: branches).ConfigureAwait(false);
            if (outcome != StepOutcome.Done)
            {
                started.Add((TaskOf(outcome) ?? branchTask, outcome));
            }
        }

        return started.Count == 0 ? own : new BranchesOutcome(own, started);
    }

    private static TaskRecord? TaskOf(StepOutcome outcome) => outcome switch
    {
        ContinueOutcome c => c.Task,
        ServiceCallOutcome s => s.Task,
        ResumeOutcome r => r.Task,
        _ => null,
    };

    /// <summary>The children a fork created in the current transaction that start in it too, and how many more may.</summary>
    internal sealed class Branches(int budget)
    {
        public List<ProcessRecord> Forked { get; } = [];

        public int Budget { get; set; } = budget;
    }

    // A branch started inside its fork's transaction has a task that is not stored (id 0) until it needs a row.
    private static bool IsStored(TaskRecord task) => task.Id != 0;

    /// <summary>Records where the task resumes: updates its row, or stores a branch's in-memory task (still leased to this worker).</summary>
    private static async ValueTask<TaskRecord> CheckpointAsync(IStoreTransaction tx, TaskRecord task)
    {
        if (!IsStored(task))
        {
            return task with { Id = await tx.Tasks.EnqueueAsync(task).ConfigureAwait(false) };
        }

        await tx.Tasks.CheckpointAsync(task).ConfigureAwait(false);
        return task;
    }

    private static async ValueTask CompleteAsync(IStoreTransaction tx, TaskRecord task)
    {
        if (IsStored(task))
        {
            await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
        }
    }
}
