using System.Text.Json.Nodes;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>The execute loop (execution.md §3) from the task's node, inside one transaction.</summary>
    private StepOutcome Walk(IStepTransaction tx, TaskRecord task, CancellationToken cancellationToken, ProcessRecord? known = null, UserCodeResults? userCode = null)
    {
        var process = known ?? tx.GetProcess(task.ProcessId);
        if (process.Dead)
        {
            tx.CompleteTask(task);
            return StepOutcome.Done;
        }

        var compiled = Compiled(tx, process.RootPipelineId);
        // Waking is not written on its own: every way out of the walk writes the process when it differs from
        // what is stored, so a woken process costs one write, not two.
        var woken = process.Asleep ? process with { Asleep = false, LastHeartbeat = tx.Now } : process;
        return WalkFrom(tx, task, woken, compiled, task.NodeId, userCode, cancellationToken, stored: process);
    }

    /// <summary>Walks from <paramref name="nodeId"/>, then starts the branches a fork on the way created (see StartBranches).</summary>
    private StepOutcome WalkFrom(IStepTransaction tx, TaskRecord task, ProcessRecord process, CompiledPipeline compiled, string nodeId,
        UserCodeResults? userCode, CancellationToken cancellationToken, ProcessRecord? stored = null)
    {
        var branches = new Branches(runtime.Options.MaxConcurrentTasks);
        var outcome = Walk(tx, task, process, compiled, nodeId, userCode ?? new UserCodeResults(runtime.Components), cancellationToken, stored, branches);
        return StartBranches(tx, task, branches, outcome, cancellationToken);
    }

    /// <summary>
    /// Walks nodes inside the open transaction, and never runs user code in it. Engine-only nodes (events, gateways,
    /// reaching a branch's converge) are handled here; at an activity the walk records it RUNNING with a recover point
    /// and ends, and its service runs after the commit. The transaction that applies the service's result walks on
    /// to the next activity, so a sequence of services costs one transaction per service. A lazy variable or an
    /// executable end event stops the walk before its node; it runs between transactions (see UserCodeResults).
    /// </summary>
    private StepOutcome Walk(IStepTransaction tx, TaskRecord task, ProcessRecord process, CompiledPipeline compiled, string nodeId,
        UserCodeResults userCode, CancellationToken cancellationToken, ProcessRecord? stored = null, Branches? branches = null)
    {
        stored ??= process;
        for (var steps = 0; ; steps++)
        {
            if (nodeId == process.DestinationId)
            {
                return ReachDestination(tx, task, process);
            }

            if (steps >= NodesPerTransaction)
            {
                // Commit here and continue in the next transaction, to keep the write lock short.
                return Pause(tx, task, process, stored, nodeId, null);
            }

            process = process with { CurrentNodeId = nodeId };
            // One read for the node and the pipelines on the stack that stop it.
            var (state, stopping) = tx.GetStepStates(nodeId, process.PipelineStack);
            var stop = CheckStack(stopping, process);
            if (stop is not null)
            {
                tx.UpdateProcess(stop);
                Complete(tx, task);
                return StepOutcome.Done;
            }

            var info = compiled.Node(nodeId);
            var loop = 1;
            var innerLoop = 1;
            HistoryRecord? history = null;
            if (state is not null)
            {
                if (state.Name == NodeState.Finished && info.Node.Kind != NodeKind.SubProcess && state.Loop > runtime.Options.RerunLimit)
                {
                    var data = tx.GetExecutionData(nodeId);
                    var outputs = data?.Outputs ?? [];
                    outputs["ex_data"] = $"node execution exceed rerun limit {runtime.Options.RerunLimit}";
                    tx.SetExecutionData(new ExecutionDataRecord(nodeId, data?.Inputs ?? [], outputs));
                    StateWriter.Set(tx, nodeId, new StateWriter.Change(NodeState.Failed) { SetArchiveTime = true }, state);
                    return Sleep(tx, task, process);
                }

                if (state.Name == NodeState.Suspended)
                {
                    tx.UpdateState(state with { RootId = process.RootPipelineId, ParentId = info.ParentPipelineId }, state.Version);
                    tx.UpdateProcess(process with { Suspended = true, SuspendedBy = nodeId });
                    Complete(tx, task);
                    return StepOutcome.Done;
                }

                if (state.Name is not (NodeState.Ready or NodeState.Finished or NodeState.LoopReady))
                {
                    return Sleep(tx, task, process);
                }

                if (state.Name == NodeState.Finished)
                {
                    loop = state.Loop + 1;
                    innerLoop = state.InnerLoop + 1;
                    // Read now, written once the handler is through: a walk that stops for user code writes nothing.
                    history = HistoryOf(tx, state);
                }
                else
                {
                    loop = state.Loop;
                    innerLoop = state.InnerLoop;
                }
            }

            var reentry = history is not null;
            var running = StateWriter.Next(nodeId, state, new StateWriter.Change(NodeState.Running)
            {
                Loop = loop,
                InnerLoop = innerLoop,
                RootId = process.RootPipelineId,
                ParentId = info.ParentPipelineId,
                SetStartedTime = true,
                ResetSkip = reentry,
                ResetRetry = reentry,
                ResetErrorIgnored = reentry,
                RefreshVersion = reentry,
            }, tx.Now);

            var step = new NodeStep(tx, task, process, compiled, info, running, state, userCode) { Branches = branches };
            HandlerResult result;
            try
            {
                result = Handle(step);
            }
            catch (UserCodeNeededException)
            {
                // Handlers write nothing before their user code, so the node is untouched: stop before it.
                return Pause(tx, task, process, stored, nodeId, userCode);
            }

            if (history is not null)
            {
                tx.AddHistory(history);
            }

            step.Flush();
            process = step.Process;
            switch (result)
            {
                case HandlerResult.CallService:
                    {
                        // RUNNING with a recover point commits before the service runs; the result comes in a later step.
                        var pending = Checkpoint(tx, task with { NodeId = nodeId, Version = running.Version });
                        var written = SameAsStored(process, stored) ? stored : process;
                        if (!ReferenceEquals(written, stored))
                        {
                            tx.UpdateProcess(process);
                        }

                        return step.ServiceCall! with { Task = pending, Process = written };
                    }

                case HandlerResult.Next next:
                    nodeId = next.NodeId;
                    continue;

                case HandlerResult.Sleep:
                    return Sleep(tx, task, process);
                case HandlerResult.Die:
                    tx.UpdateProcess(process with { Dead = true });
                    Complete(tx, task);
                    return new PipelineFinishedOutcome(process.RootPipelineId);
                default:
                    throw new InvalidOperationException("unknown handler result");
            }
        }
    }

    /// <summary>Ends this transaction's walk before <paramref name="nodeId"/>; the task resumes there in the next one.</summary>
    private static ContinueOutcome Pause(IStepTransaction tx, TaskRecord task, ProcessRecord process, ProcessRecord stored, string nodeId, UserCodeResults? userCode)
    {
        // The task row records where to resume; the process row only changes when more than its position did.
        var samePlace = SamePlaceAside(process, stored);
        if (!samePlace)
        {
            tx.UpdateProcess(process with { CurrentNodeId = nodeId });
        }

        var next = Checkpoint(tx, task with { NodeId = nodeId, Version = null });
        return new ContinueOutcome(next, samePlace ? stored : process with { CurrentNodeId = nodeId }) { UserCode = userCode };
    }

    /// <summary>Whether two process records differ at most in heartbeat.</summary>
    private static bool SameAsStored(ProcessRecord a, ProcessRecord b) =>
        a.CurrentNodeId == b.CurrentNodeId && SamePlaceAside(a, b);

    /// <summary>Whether two process records differ only in current node and heartbeat.</summary>
    private static bool SamePlaceAside(ProcessRecord a, ProcessRecord b) =>
        a.PipelineStack.SequenceEqual(b.PipelineStack)
        && a with { CurrentNodeId = "", LastHeartbeat = 0, PipelineStack = b.PipelineStack } == b with { CurrentNodeId = "", LastHeartbeat = 0 };

    private static StepOutcome Sleep(IStepTransaction tx, TaskRecord task, ProcessRecord process)
    {
        tx.UpdateProcess(process with { Asleep = true });
        Complete(tx, task);
        return StepOutcome.Done;
    }

    private static StepOutcome ReachDestination(IStepTransaction tx, TaskRecord task, ProcessRecord child)
    {
        tx.UpdateProcess(child with { Dead = true });
        if (tx.AcknowledgeChild(child.ParentId))
        {
            tx.Enqueue(NewExecuteTask(tx, child.ParentId, child.DestinationId));
        }

        Complete(tx, task);
        return StepOutcome.Done;
    }

    /// <summary>
    /// A revoked pipeline on the stack → the process dies; a suspended one → it stops there (the first one from the
    /// root decides). Bamboo only looks at the root's REVOKED state, so revoking a subprocess later broke its end
    /// event; here it ends that subprocess's work.
    /// </summary>
    private static ProcessRecord? CheckStack(IReadOnlyList<StateRecord> stored, ProcessRecord process)
    {
        foreach (var pipelineId in process.PipelineStack)
        {
            var s = Find(stored, pipelineId);
            if (s is null)
            {
                continue;
            }

            if (s.Name == NodeState.Revoked)
            {
                return process with { Dead = true };
            }

            if (s.Name == NodeState.Suspended)
            {
                return process with { Suspended = true, SuspendedBy = pipelineId };
            }
        }

        return null;
    }

    private static StateRecord? Find(IReadOnlyList<StateRecord> states, string nodeId)
    {
        foreach (var s in states)
        {
            if (s.NodeId == nodeId)
            {
                return s;
            }
        }

        return null;
    }

    internal static TaskRecord NewExecuteTask(IStepTransaction tx, long processId, string nodeId) =>
        new(0, TaskKind.Execute, processId, nodeId, null, null, null, tx.Now, null, null, 0);

    internal static void AddHistory(IStepTransaction tx, StateRecord state) => tx.AddHistory(HistoryOf(tx, state));

    /// <summary>The history row of a node's attempt that is about to be replaced: its state and its data.</summary>
    private static HistoryRecord HistoryOf(IStepTransaction tx, StateRecord state)
    {
        var data = tx.GetExecutionData(state.NodeId);
        return new HistoryRecord(0, state.NodeId, state.Loop, state.Retry, state.Skip, state.Version,
            state.StartedTime, state.ArchivedTime, data?.Inputs ?? [], data?.Outputs ?? []);
    }

    /// <summary>
    /// Everything a handler may touch for the node being executed. State changes stay in memory until
    /// <see cref="Flush"/>, so a node that enters and leaves RUNNING in one transaction is written once.
    /// </summary>
    private sealed class NodeStep(IStepTransaction tx, TaskRecord task, ProcessRecord process, CompiledPipeline compiled, NodeInfo info, StateRecord state,
        StateRecord? persisted, UserCodeResults userCode)
    {
        private StateRecord? _persisted = persisted;

        /// <summary>Results of user code run between transactions; asking for a missing one stops the walk.</summary>
        public UserCodeResults UserCode { get; } = userCode;

        /// <summary>A lazy variable's value for <see cref="ContextHydrator.Hydrate"/>.</summary>
        public JsonNode? Lazy(string code, JsonNode? input) => UserCode.Lazy(code, input, Compiled.RootDataCopy);

        /// <summary>
        /// Whether the node had a state before this step. Without one no operator can have touched it yet (a retry
        /// with new inputs needs a FAILED state), so there is no stored input override to look up.
        /// </summary>
        public bool HadState { get; } = persisted is not null;

        public IStepTransaction Tx { get; } = tx;

        public TaskRecord Task { get; } = task;

        public ProcessRecord Process { get; set; } = process;

        public CompiledPipeline Compiled { get; } = compiled;

        public NodeInfo Info { get; } = info;

        public StateRecord State { get; set; } = state;

        public string TopPipelineId => Process.PipelineStack[^1];

        public ServiceCallOutcome? ServiceCall { get; set; }

        /// <summary>Where a fork puts the children that start in this transaction; null: the fork queues them all.</summary>
        public Branches? Branches { get; init; }

        public void Finish(bool errorIgnored = false) =>
            State = StateWriter.Next(State.NodeId, State, new StateWriter.Change(NodeState.Finished)
            {
                SetArchiveTime = true,
                ErrorIgnored = errorIgnored,
            }, Tx.Now);

        /// <summary>Writes the pending state if it differs from what is stored.</summary>
        public void Flush()
        {
            if (_persisted != State)
            {
                StateWriter.Write(Tx, State, _persisted);
                _persisted = State;
            }
        }

        public void Fail(string? exData)
        {
            if (exData is not null)
            {
                var data = Tx.GetExecutionData(State.NodeId);
                var outputs = data?.Outputs ?? [];
                outputs["ex_data"] = exData;
                Tx.SetExecutionData(new ExecutionDataRecord(State.NodeId, data?.Inputs ?? [], outputs));
            }

            State = StateWriter.Next(State.NodeId, State, new StateWriter.Change(NodeState.Failed) { SetArchiveTime = true }, Tx.Now);
        }
    }

    private abstract record HandlerResult
    {
        public sealed record Next(string NodeId) : HandlerResult;

        public sealed record CallService : HandlerResult;

        public sealed record Sleep : HandlerResult;

        public sealed record Die : HandlerResult;

        public static readonly HandlerResult SleepResult = new Sleep();
    }
}
