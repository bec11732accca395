using Bamboo.Engine;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Server.Tests;

/// <summary>GET /api/pipelines/{id}/events: state changes as they happen, then the end with the outcome.</summary>
public sealed class EventEndpointsTests : IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    private readonly ServerFactory _server = new(tokens: false);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string id) =>
        await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/pipelines/{id}/events"), HttpCompletionOption.ResponseHeadersRead);

    [Fact]
    public async Task Events_RunningPipeline_StatesAsTheyChangeThenTheEnd()
    {
        var client = _server.Client();
        var slow = Trees.Activity("delay", ("ms", 1500));
        var id = await client.StartAsync(Trees.Sequence(slow));

        using var response = await OpenAsync(client, id);
        var events = await EventStream.ReadAllAsync(response, StreamTimeout);

        var states = events.Where(e => e.Event == "state").Select(e => e.Data).ToList();
        var slowStates = states.Where(s => (string?)s["node_id"] == slow.Id).Select(s => (string?)s["state"]).ToList();
        Assert.Equal(["RUNNING", "FINISHED"], slowStates);
        Assert.Contains(states, s => (string?)s["node_id"] == id && (string?)s["state"] == "FINISHED");
        Assert.All(states, s => Assert.NotNull(s["version"]));
        var (last, outcome) = events[^1];
        Assert.Equal("end", last);
        Assert.Equal("finished", (string?)outcome["end"]);
        Assert.Single(events, e => e.Event == "end");
    }

    [Fact]
    public async Task Events_StoppedPipeline_CurrentStatesThenTheEndAtOnce()
    {
        var client = _server.Client();
        var failing = new ServiceActivity("fail_ctrl_node");
        var id = await client.StartAsync(Trees.Sequence(failing));
        await client.WaitAsync(id);

        using var response = await OpenAsync(client, id);
        var events = await EventStream.ReadAllAsync(response, StreamTimeout);

        Assert.Contains(events, e => e.Event == "state" && (string?)e.Data["node_id"] == failing.Id && (string?)e.Data["state"] == "FAILED");
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("failed", (string?)events[^1].Data["end"]);
        Assert.Equal(failing.Id, (string?)events[^1].Data["nodes"]![0]!["id"]);
    }

    [Fact]
    public async Task Events_ClientGoesAway_StreamStopsListening()
    {
        var client = _server.Client();
        var id = await client.StartAsync(Trees.Sequence(Trees.Activity("delay", ("ms", 20_000))));
        var engine = (PipelineEngine)_server.Services.GetService(typeof(PipelineEngine))!;

        using (var response = await OpenAsync(client, id))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("event: state", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        // The stream's handler leaves the engine's event once the request is gone; the client's own stays.
        await WaitUntilAsync(() => Listeners(engine) <= 1);
        await (await client.PostAsync($"/api/pipelines/{id}/revoke")).EngineAsync();
    }

    private static int Listeners(PipelineEngine engine) =>
        (typeof(PipelineEngine).GetField("EventRaised", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(engine) as Delegate)?
        .GetInvocationList().Length ?? 0;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}

/// <summary>A server without workers: the stream finds what another process's worker does by polling the store.</summary>
public sealed class EventPollTests : IAsyncLifetime
{
    private readonly ServerFactory _server = new(tokens: false, settings: new Dictionary<string, string?>
    {
        ["Bamboo:Server:Workers"] = "false",
        ["Bamboo:Server:EventPoll"] = "00:00:00.100",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Events_OtherProcessRunsIt_PolledStatesThenTheEnd()
    {
        var client = _server.Client();
        var act = Trees.Activity("delay", ("ms", 300));
        var id = await client.StartAsync(Trees.Sequence(act));
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/pipelines/{id}/events"), HttpCompletionOption.ResponseHeadersRead);
        var reading = EventStream.ReadAllAsync(response, TimeSpan.FromSeconds(30));

        // Another process on the same file: its own store, engine and worker.
        await using var store = new SqliteStore(new SqliteStoreOptions { DatabasePath = _server.DatabasePath });
        var engine = new BambooEngine(store, new ComponentRegistry().AddTestkit(), new EngineOptions());
        var pipelines = new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance);
        using var stop = new CancellationTokenSource();
        var worker = new EngineWorker(engine, pipelines, NullLogger<EngineWorker>.Instance).RunAsync(stop.Token);
        var events = await reading;
        await stop.CancelAsync();
        await worker;

        Assert.Contains(events, e => e.Event == "state" && (string?)e.Data["node_id"] == act.Id && (string?)e.Data["state"] == "FINISHED");
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("finished", (string?)events[^1].Data["end"]);
    }
}
