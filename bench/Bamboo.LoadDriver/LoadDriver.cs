using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bamboo.LoadDriver;

/// <summary>
/// A bounded load test of the HTTP server on loopback: N clients for S seconds (after a warm-up), most of them reading
/// the states of a 17-node pipeline (GET /api/pipelines/{id}/states), a few starting 3-node pipelines and waiting for
/// each to finish (POST /api/pipelines, then GET /api/pipelines/{id}/outcome?wait=10). Prints state queries per second,
/// their p50/p99 latency, the start-to-finished p50/p99 of the 3-node runs, and the error count. Without --url it
/// serves an in-process server (bamboo serve's app, workers on) on a temp SQLite file and deletes it afterwards.
/// </summary>
internal static class LoadDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = Arg(args, "--url", null);
        var clients = int.Parse(Arg(args, "--clients", "50")!, CultureInfo.InvariantCulture);
        var starters = int.Parse(Arg(args, "--starters", "5")!, CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg(args, "--seconds", "30")!, CultureInfo.InvariantCulture);
        var warmup = double.Parse(Arg(args, "--warmup", "5")!, CultureInfo.InvariantCulture);
        // 0: the readers go flat out (closed loop); else together they send this many state queries per second, each
        // timed from when it was due, so a server that falls behind shows it in the latency.
        var rate = double.Parse(Arg(args, "--rate", "0")!, CultureInfo.InvariantCulture);
        // The same for the starters: 3-node runs started per second in all (0: each starter starts the next at once).
        var startRate = double.Parse(Arg(args, "--start-rate", "0")!, CultureInfo.InvariantCulture);

        var database = Path.Combine(Path.GetTempPath(), $"bamboo-load-{Guid.NewGuid():N}.db");
        WebApplication? server = null;
        if (url is null)
        {
            url = "http://127.0.0.1:" + FreePort();
            server = BambooServerApp.Create([], o => o.Database = database, b =>
            {
                b.WebHost.UseUrls(url);
                b.Logging.SetMinimumLevel(LogLevel.Warning);
            });
            await server.StartAsync();
        }

        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri(url),
                Timeout = TimeSpan.FromSeconds(30),
            };
            var big = await StartAsync(http, Sequence(15));
            await WaitAsync(http, big);
            Console.WriteLine($"server {url}; 17-node pipeline {big}; {clients} clients ({clients - starters} reading states{(rate > 0 ? $" at {rate}/s in all" : ", flat out")}, {starters} starting 3-node runs{(startRate > 0 ? $" at {startRate}/s in all" : ", flat out")}); warm-up {warmup} s, then {seconds} s");
            var interval = rate > 0 ? TimeSpan.FromSeconds((clients - starters) / rate) : TimeSpan.Zero;
            var startInterval = startRate > 0 ? TimeSpan.FromSeconds(starters / startRate) : TimeSpan.Zero;

            if (args.Contains("--direct") && server is not null)
            {
                await DirectAsync(server, big, clients, TimeSpan.FromSeconds(warmup));
                await DirectAsync(server, big, clients, TimeSpan.FromSeconds(seconds));
                return 0;
            }

            await PhaseAsync(http, big, clients, starters, interval, startInterval, TimeSpan.FromSeconds(warmup));
            var result = await PhaseAsync(http, big, clients, starters, interval, startInterval, TimeSpan.FromSeconds(seconds));
            result.Print(TimeSpan.FromSeconds(seconds));
            return result.Errors == 0 ? 0 : 1;
        }
        finally
        {
            if (server is not null)
            {
                await server.StopAsync();
                await server.DisposeAsync();
                foreach (var file in new[] { database, database + "-wal", database + "-shm" })
                {
                    File.Delete(file);
                }
            }
        }
    }

    private static async Task<Result> PhaseAsync(HttpClient http, string big, int clients, int starters, TimeSpan interval, TimeSpan startInterval, TimeSpan length)
    {
        using var stop = new CancellationTokenSource(length);
        var result = new Result();
        var tasks = Enumerable.Range(0, clients).Select(i => i < starters ? StarterAsync(http, startInterval, result, stop.Token) : ReaderAsync(http, big, interval, result, stop.Token)).ToList();
        await Task.WhenAll(tasks);
        return result;
    }

    /// <summary>The engine's share: get_pipeline_states through BambooClient in this process, no HTTP.</summary>
    private static async Task DirectAsync(WebApplication server, string id, int clients, TimeSpan length)
    {
        var client = server.Services.GetRequiredService<Engine.Client.BambooClient>();
        using var stop = new CancellationTokenSource(length);
        var count = 0L;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await client.GetPipelineStatesAsync(id);
                _ = result.Data!.ToJsonString();
                Interlocked.Increment(ref count);
            }
        })));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"direct get_pipeline_states + JSON text: {count / length.TotalSeconds:F0}/s with {clients} callers"));
    }

    private static async Task ReaderAsync(HttpClient http, string id, TimeSpan interval, Result result, CancellationToken stop)
    {
        var path = $"/api/pipelines/{id}/states";
        var latencies = new List<double>(100_000);
        // Paced readers start spread over one interval, so the requests do not come in waves.
        var due = Stopwatch.GetTimestamp() + (long)(Random.Shared.NextDouble() * interval.TotalSeconds * Stopwatch.Frequency);
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            if (interval > TimeSpan.Zero)
            {
                var wait = Stopwatch.GetElapsedTime(started, due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }

                started = due;
                due += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            }

            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
                var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (!response.IsSuccessStatusCode || body.Length < 100)
                {
                    result.Error($"states: {(int)response.StatusCode}");
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (HttpRequestException ex)
            {
                result.Error("states: " + ex.Message);
            }
        }

        result.AddStates(latencies);
    }

    private static async Task StarterAsync(HttpClient http, TimeSpan interval, Result result, CancellationToken stop)
    {
        var latencies = new List<double>(10_000);
        var due = Stopwatch.GetTimestamp() + (long)(Random.Shared.NextDouble() * interval.TotalSeconds * Stopwatch.Frequency);
        while (!stop.IsCancellationRequested)
        {
            if (interval > TimeSpan.Zero)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }

                due += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            }

            var body = new JsonObject { ["tree"] = Sequence(1).ToJson() }.ToJsonString();
            var started = Stopwatch.GetTimestamp();
            try
            {
                var id = await StartAsync(http, body);
                var end = await WaitAsync(http, id);
                if (end != "finished")
                {
                    result.Error($"3-node run ended {end}");
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException)
            {
                result.Error("start: " + ex.Message);
            }
        }

        result.AddRuns(latencies);
    }

    /// <summary>start → n × empty_node → end: 17 nodes for n = 15, 3 for n = 1.</summary>
    private static Engine.Model.Pipeline Sequence(int activities)
    {
        var start = new EmptyStartEvent();
        Element tail = start;
        for (var i = 0; i < activities; i++)
        {
            tail = tail.Extend(new ServiceActivity("empty_node"));
        }

        tail.Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    private static Task<string> StartAsync(HttpClient http, Engine.Model.Pipeline pipeline) =>
        StartAsync(http, new JsonObject { ["tree"] = pipeline.ToJson() }.ToJsonString());

    private static async Task<string> StartAsync(HttpClient http, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/pipelines", content);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        return json?["result"]?.GetValue<bool>() == true
            ? (string)json["data"]!["id"]!
            : throw new InvalidOperationException($"run_pipeline: {(int)response.StatusCode} {json?["message"]}");
    }

    private static async Task<string?> WaitAsync(HttpClient http, string id)
    {
        var json = await http.GetFromJsonAsync<JsonObject>($"/api/pipelines/{id}/outcome?wait=10");
        return (string?)json?["end"];
    }

    private static string? Arg(string[] args, string name, string? fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
