// README-SAMPLE-START
using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bamboo.Runtime.Tests.Readme;

/// <summary>A component, code "greet": greets whoever input "name" says; a fresh instance serves every call.</summary>
[Component("greet")]
public sealed class GreetService : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        data.Outputs["greeting"] = $"hello {data.GetOneOfInputs("name")}";
        return ValueTask.FromResult(true);
    }
}

public static class LibrarySample
{
    public static async Task<JsonNode?> RunAsync(string databasePath, CancellationToken cancellationToken)
    {
        // The engine, the embedded SQLite store, our component, and workers hosted for the app's lifetime.
        var app = Host.CreateApplicationBuilder();
        app.Services.AddBambooEngine().UseSqlite(databasePath).AddComponent<GreetService>();
        using var host = app.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            // start -> greet(name = ${who}) -> end, with ${who} a pipeline variable. The builder draws new ids for every
            // node, so this runs again and again on one store.
            var greet = new ServiceActivity("greet");
            greet.Inputs["name"] = new Var(Var.Splice, "${who}");
            var start = new EmptyStartEvent();
            start.Extend(greet).Extend(new EmptyEndEvent());
            var data = new Data();
            data.Inputs["${who}"] = new Var(Var.Plain, "world");
            var pipeline = PipelineBuilder.BuildTree(start, data: data);

            // The client has bamboo's Engine API (results never throw: Result is false and Message says why) and waits.
            var client = host.Services.GetRequiredService<BambooClient>();
            var started = await client.RunPipelineAsync(pipeline, cancellationToken: cancellationToken);
            if (!started.Result)
            {
                throw new InvalidOperationException(started.Message);
            }

            var outcome = await client.WaitForPipelineAsync(pipeline.Id, cancellationToken);
            if (outcome.End != PipelineEnd.Finished)
            {
                throw new InvalidOperationException($"the pipeline stopped: {outcome.End} at {string.Join(", ", outcome.Nodes.Select(n => n.Id))}");
            }

            var node = await client.GetNodeAsync(greet.Id, cancellationToken);
            return node?.Outputs["greeting"];
        }
        finally
        {
            // Stopped before it is disposed, on every path: the workers finish what is in flight and hand back the rest.
            await host.StopAsync(CancellationToken.None);
        }
    }
}
// README-SAMPLE-END
