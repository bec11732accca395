// README-SAMPLE-START
using System.Text.Json.Nodes;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bamboo.Runtime.Tests.Readme;

/// <summary>A component: greets whoever input "name" says; a fresh instance serves every call.</summary>
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
        app.Services.AddBambooEngine().UseSqlite(databasePath).AddComponent<GreetService>("greet");
        using var host = app.Build();
        await host.StartAsync(cancellationToken);

        // start -> greet(name = ${who}) -> end, with ${who} a pipeline variable.
        var greet = new ServiceActivity("greet", id: "greet_world");
        greet.Inputs["name"] = new Var(Var.Splice, "${who}");
        var start = new EmptyStartEvent();
        start.Extend(greet).Extend(new EmptyEndEvent());
        var data = new Data();
        data.Inputs["${who}"] = new Var(Var.Plain, "world");
        var pipeline = PipelineBuilder.BuildTree(start, data: data);

        var engine = host.Services.GetRequiredService<BambooEngine>();
        var started = await EngineApi.RunPipelineAsync(engine, pipeline, cancellationToken: cancellationToken);
        if (!started.Result)
        {
            throw new InvalidOperationException(started.Message);
        }

        // Wait for the end (the engine also raises PipelineEngine.PipelineFinished), then read states and outputs.
        var finished = new TaskCompletionSource();
        host.Services.GetRequiredService<PipelineEngine>().PipelineFinished += (_, e) =>
        {
            if (e.RootId == pipeline.Id)
            {
                finished.TrySetResult();
            }
        };
        var states = await EngineApi.GetPipelineStatesAsync(engine, pipeline.Id, cancellationToken: cancellationToken);
        if (states.Data?[pipeline.Id]?["state"]?.GetValue<string>() != NodeState.Finished)
        {
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        var outputs = await EngineApi.GetExecutionDataOutputsAsync(engine, "greet_world", cancellationToken);
        await host.StopAsync(cancellationToken);
        return outputs.Data?["greeting"];
    }
}
// README-SAMPLE-END
