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
    private StepOutcome StartBranches(IStepTransaction tx, TaskRecord task, Branches branches, StepOutcome own, CancellationToken cancellationToken)
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
            // A fresh lease: the forking task's record may carry the lease of a claim made long ago (renewals only
            // move the stored row), and a branch stored with a lapsed lease could be claimed a second time.
            var branchTask = new TaskRecord(0, TaskKind.Execute, child.Id, child.CurrentNodeId, null, null, null, tx.Now,
                task.LeaseOwner, tx.Now + (long)runtime.Options.TaskLease.TotalMilliseconds, 1);
            var outcome = Walk(tx, branchTask, child, Compiled(tx, child.RootPipelineId), child.CurrentNodeId, new UserCodeResults(runtime.Components), cancellationToken, stored: child, branches: branches);
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
    private static TaskRecord Checkpoint(IStepTransaction tx, TaskRecord task)
    {
        if (!IsStored(task))
        {
            return task with { Id = tx.Enqueue(task) };
        }

        tx.UpdateTask(task);
        return task;
    }

    private static void Complete(IStepTransaction tx, TaskRecord task)
    {
        if (IsStored(task))
        {
            tx.CompleteTask(task);
        }
    }
}
