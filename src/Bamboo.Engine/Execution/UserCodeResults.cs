using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Execution;

/// <summary>
/// Results of user code a walk needs besides services (lazy variables, executable end events), computed between
/// transactions. A walk that needs one it does not have stops before the node (nothing of the node written), the
/// step commits, the code runs outside the store, and the next transaction walks the node again with the result.
/// A lazy value is keyed by its type and its rendered input, so a value computed from inputs that changed since is
/// never used: the walk asks again.
/// </summary>
internal sealed class UserCodeResults(ComponentRegistry registry)
{
    // Made on first use: almost every walk needs none of them.
    private Dictionary<(string Code, string Input), Outcome>? _lazy;
    private Dictionary<string, Outcome>? _endEvents;
    private List<Call>? _missing;

    /// <summary>
    /// Set when the walk needs user code this process does not have (a requirement name): the task must go to a
    /// worker that has it rather than fail the node.
    /// </summary>
    public string? Unmet { get; private set; }

    /// <summary>Calls the last walk asked for; empty when it had everything.</summary>
    public IReadOnlyList<Call> Missing => (IReadOnlyList<Call>?)_missing ?? [];

    /// <summary>The value of a lazy variable, or <see cref="UserCodeNeededException"/> when it was not computed yet.</summary>
    public JsonNode? Lazy(string code, JsonNode? input, Func<JsonObject> pipelineData)
    {
        var key = (code, input?.ToJsonString() ?? "null");
        if (_lazy is not null && _lazy.TryGetValue(key, out var done))
        {
            return done.Value?.DeepClone() ?? done.Throw();
        }

        if (!registry.HasVariable(code))
        {
            Unmet = Runtime.Requirement.Variable(code);
            throw new UserCodeNeededException();
        }

        (_missing ??= []).Add(new LazyCall(code, input?.DeepClone(), pipelineData()));
        throw new UserCodeNeededException();
    }

    /// <summary>Whether the executable end event of <paramref name="nodeId"/> ran; throws what it threw.</summary>
    public void EndEvent(string nodeId, string code, bool inSubprocess, string rootId, string pipelineId)
    {
        if (_endEvents is not null && _endEvents.Remove(nodeId, out var done))
        {
            // The end event's handler records whatever it threw, as it always did.
            if (done.Error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(done.Error);
            }

            return;
        }

        if (!registry.HasEndEvent(code))
        {
            Unmet = Runtime.Requirement.EndEvent(code);
            throw new UserCodeNeededException();
        }

        (_missing ??= []).Add(new EndEventCall(nodeId, code, inSubprocess, rootId, pipelineId));
        throw new UserCodeNeededException();
    }

    /// <summary>Runs the calls the last walk asked for (outside any transaction) and keeps their outcomes.</summary>
    public void RunMissing()
    {
        foreach (var call in Missing)
        {
            switch (call)
            {
                case LazyCall lazy:
                    (_lazy ??= [])[(lazy.Code, lazy.Input?.ToJsonString() ?? "null")] = Capture(() => registry.CreateVariable(lazy.Code).GetValue(lazy.Input?.DeepClone(), lazy.PipelineData));
                    break;
                case EndEventCall end:
                    (_endEvents ??= [])[end.NodeId] = Capture(() =>
                    {
                        registry.CreateEndEvent(end.Code).Execute(end.InSubprocess, end.RootId, end.PipelineId);
                        return null;
                    });
                    break;
            }
        }

        _missing?.Clear();
    }

    private static Outcome Capture(Func<JsonNode?> call)
    {
        try
        {
            return new Outcome(call(), null);
        }
#pragma warning disable CA1031 // Plugin code may throw anything; the walk turns it into the node's failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Outcome(null, ex);
        }
    }

    /// <summary>A call's result: a value, or the exception it threw (thrown again where the walk uses it).</summary>
    private sealed record Outcome(JsonNode? Value, Exception? Error)
    {
        public JsonNode? Throw()
        {
            if (Error is null)
            {
                return null;
            }

            // Known engine failures keep their type (the handlers turn them into node failures); anything else a
            // plugin threw becomes a BambooException carrying its message, so it fails the node, not the worker.
            if (Error is BambooException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Error);
            }

            throw new BambooException(Error.Message, Error);
        }
    }

    internal abstract record Call;

    private sealed record LazyCall(string Code, JsonNode? Input, JsonObject PipelineData) : Call;

    private sealed record EndEventCall(string NodeId, string Code, bool InSubprocess, string RootId, string PipelineId) : Call;
}

/// <summary>A walk reached user code it has no result for; the step stops before the node and the code runs outside.</summary>
internal sealed class UserCodeNeededException : Exception
{
    public UserCodeNeededException()
        : base("user code must run outside the store's transaction first")
    {
    }
}
