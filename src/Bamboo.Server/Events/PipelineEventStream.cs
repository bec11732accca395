using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Bamboo.Engine.Client;
using Bamboo.Engine.Execution;
using Bamboo.Server.Contracts;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bamboo.Server.Events;

/// <summary>
/// The live view of one run for <c>GET /api/pipelines/{id}/events</c>. What it sends always comes from the store: a
/// read of the run's states, diffed against what the client has seen. This server's workers wake that read at once
/// through <see cref="PipelineEngine.EventRaised"/> (a burst of hooks makes one read); a poll every
/// <see cref="BambooServerOptions.EventPoll"/> finds what other processes on a shared store changed. Once the run
/// stops (finished, failed, paused, revoked, waiting) the last event is <c>end</c> with the outcome.
/// </summary>
internal sealed class PipelineEventStream(
    PipelineEngine engine, BambooClient client, TimeProvider time, IOptions<BambooServerOptions> options, IOptions<JsonOptions> json,
    IHostApplicationLifetime lifetime, ILogger<PipelineEventStream> logger)
{
    public const string StateEvent = "state";
    public const string EndEvent = "end";

    /// <summary>The shortest time between two reads: the hooks of one step come in a burst.</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(10);

    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly TimeSpan _poll = options.Value.EventPoll;

    public async IAsyncEnumerable<SseItem<string>> ReadAsync(string rootId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Ends on the client's disconnect or the server's shutdown, whichever comes first.
        using var life = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = life.Token;
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnEvent(object? sender, PipelineEvent e)
        {
            if (e.RootPipelineId == rootId)
            {
                wake.Writer.TryWrite(true);
            }
        }

        engine.EventRaised += OnEvent;
        try
        {
            var seen = new Dictionary<string, StateEvent>(StringComparer.Ordinal);
            while (!token.IsCancellationRequested)
            {
                var states = await client.GetPipelineStatesAsync(rootId, cancellationToken: token);
                foreach (var state in Changes(states.Data, rootId, seen))
                {
                    yield return new SseItem<string>(JsonSerializer.Serialize(state, _json), StateEvent);
                }

                var outcome = await client.GetOutcomeAsync(rootId, token);
                if (outcome is null || outcome.End != PipelineEnd.Running)
                {
                    var end = outcome is null ? new OutcomeResponse(PipelineEnd.Revoked, [], []) : OutcomeResponse.From(outcome);
                    Log.StreamEnded(logger, rootId, end.End);
                    yield return new SseItem<string>(JsonSerializer.Serialize(end, _json), EndEvent);
                    yield break;
                }

                if (!await WaitAsync(wake.Reader, token))
                {
                    yield break;
                }
            }
        }
        finally
        {
            engine.EventRaised -= OnEvent;
        }
    }

    /// <summary>Waits for a hook of the run or the poll interval; false once the stream is to end.</summary>
    private async Task<bool> WaitAsync(ChannelReader<bool> wake, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        poll.CancelAfter(_poll);
        try
        {
            await wake.WaitToReadAsync(poll.Token);
            wake.TryRead(out _);
            await Task.Delay(Coalesce, time, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval is up: read again.
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    /// <summary>The nodes (the run itself included) whose state, version, loop or retry changed since the last read.</summary>
    private static List<StateEvent> Changes(JsonNode? data, string rootId, Dictionary<string, StateEvent> seen)
    {
        var changes = new List<StateEvent>();
        if (data?[rootId] is not JsonObject root)
        {
            return changes;
        }

        var entries = new List<JsonObject> { root };
        if (root["children"] is JsonObject children)
        {
            entries.AddRange(children.Select(c => c.Value).OfType<JsonObject>());
        }

        foreach (var entry in entries)
        {
            var state = new StateEvent(
                (string)entry["id"]!, (string)entry["state"]!, (string?)entry["version"], (int?)entry["loop"] ?? 1, (int?)entry["retry"] ?? 0);
            if (!seen.TryGetValue(state.NodeId, out var before) || before != state)
            {
                seen[state.NodeId] = state;
                changes.Add(state);
            }
        }

        return changes;
    }
}
