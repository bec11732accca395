using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>
/// Two operators acting at once, 100 rounds per pair: the store stays consistent and exactly one action takes
/// effect. The calls really race: both are in flight together and the store serialises their transactions.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private const int Rounds = 100;
    private readonly EngineHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private async Task<(string Root, string Act)> FailedAsync()
    {
        var (pipeline, act) = EngineHarness.OneActivity("fail_ctrl_node");
        await _h.StartAsync(pipeline);
        await _h.WaitFailedAndAsleepAsync(act);
        return (pipeline.Id, act);
    }

    private Task IdleAsync() => WaitUntil.TrueAsync(async () => await Task.FromResult(_h.TasksLeft() == 0), TimeSpan.FromSeconds(20), "the queue to drain");

    private static async Task<(EngineApiResult A, EngineApiResult B)> RaceAsync(Func<Task<EngineApiResult>> a, Func<Task<EngineApiResult>> b)
    {
        var results = await Task.WhenAll(Task.Run(a), Task.Run(b));
        return (results[0], results[1]);
    }

    [Fact]
    public async Task RetryVsSkip_SameFailedNode_OneWinsAndThePipelineFinishesOnce()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (root, act) = await FailedAsync();

            var (retry, skip) = await RaceAsync(
                () => EngineApi.RetryNodeAsync(_h.Engine, act, new JsonObject { ["bit"] = 1 }),
                () => EngineApi.SkipNodeAsync(_h.Engine, act));

            Assert.True(retry.Result ^ skip.Result, $"round {round}: retry={retry.Result} ({retry.Message}), skip={skip.Result} ({skip.Message})");
            await _h.WaitStateAsync(root, NodeState.Finished);
            var state = (await _h.StateAsync(act))!;
            Assert.Equal(NodeState.Finished, state.Name);
            Assert.Equal(retry.Result ? 1 : 0, state.Retry);
            Assert.Equal(skip.Result, state.Skip);
            Assert.Single((await EngineApi.GetNodeHistoriesAsync(_h.Engine, act)).Data!.AsArray());
        }
    }

    [Fact]
    public async Task TwoRetries_SameFailedNode_OnlyOneIsAccepted()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (root, act) = await FailedAsync();

            var (first, second) = await RaceAsync(
                () => EngineApi.RetryNodeAsync(_h.Engine, act, new JsonObject { ["bit"] = 1 }),
                () => EngineApi.RetryNodeAsync(_h.Engine, act, new JsonObject { ["bit"] = 1 }));

            Assert.True(first.Result ^ second.Result, $"round {round}: {first.Message} / {second.Message}");
            await _h.WaitStateAsync(root, NodeState.Finished);
            Assert.Equal(1, (await _h.StateAsync(act))!.Retry);
            Assert.Single((await EngineApi.GetNodeHistoriesAsync(_h.Engine, act)).Data!.AsArray());
        }
    }

    [Fact]
    public async Task CallbackVsForcedFail_WaitingNode_EitherFinishesOrStaysForcedFailed()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (pipeline, act) = EngineHarness.OneActivity("callback_node");
            await _h.StartAsync(pipeline);
            await WaitUntil.TrueAsync(() => _h.Store.ReadAsync(async tx => await tx.States.GetAsync(act) is { } s && await tx.Schedules.GetAsync(act, s.Version) is not null),
                TimeSpan.FromSeconds(20), "the schedule");
            var version = (await _h.StateAsync(act))!.Version;

            var (callback, forced) = await RaceAsync(
                () => EngineApi.CallbackAsync(_h.Engine, act, version, []),
                () => EngineApi.ForcedFailActivityAsync(_h.Engine, act, "forced by test"));
            await IdleAsync();

            Assert.True(callback.Result || forced.Result, $"round {round}: both refused");
            var state = (await _h.StateAsync(act))!;
            var outputs = (await EngineApi.GetExecutionDataOutputsAsync(_h.Engine, act)).Data!;
            var schedule = (await _h.Store.ReadAsync(tx => tx.Schedules.GetAsync(act, version)))!;
            if (forced.Result)
            {
                // The forced fail won: a callback that got in first is discarded, never applied.
                Assert.Equal(NodeState.Failed, state.Name);
                Assert.True(outputs["_forced_failed"]?.GetValue<bool>());
                Assert.False(schedule!.Finished);
                Assert.Null(await _h.StateAsync(pipeline.EndEvent.Id));
            }
            else
            {
                Assert.Equal(NodeState.Finished, state.Name);
                Assert.True(schedule!.Finished);
                await _h.WaitStateAsync(pipeline.Id, NodeState.Finished);
            }
        }
    }

    [Fact]
    public async Task PauseVsRevoke_RunningPipeline_EndsRevokedAndNothingMoreRuns()
    {
        for (var round = 0; round < Rounds; round++)
        {
            // The activity takes long enough that the root is still RUNNING when both calls arrive.
            var (pipeline, _) = EngineHarness.OneActivity("delay", new() { ["ms"] = 50 });
            await _h.StartAsync(pipeline);

            var (pause, revoke) = await RaceAsync(
                () => EngineApi.PausePipelineAsync(_h.Engine, pipeline.Id),
                () => EngineApi.RevokePipelineAsync(_h.Engine, pipeline.Id));
            await IdleAsync();

            // RUNNING -> SUSPENDED -> REVOKED is allowed, REVOKED -> SUSPENDED is not: revoke always takes effect.
            Assert.True(revoke.Result, $"round {round}: {revoke.Message}");
            Assert.Equal(NodeState.Revoked, (await _h.StateAsync(pipeline.Id))!.Name);
            Assert.Null(await _h.StateAsync(pipeline.EndEvent.Id));
            if (!pause.Result)
            {
                Assert.Contains("REVOKED", pause.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task ResumeRacingTheLastNodeFinishing_PipelineAlwaysFinishes()
    {
        var random = new Random(42);
        for (var round = 0; round < Rounds; round++)
        {
            // The pause lands before, during or after the activity; the resume lands before or after the process
            // notices the pause. Whatever the interleaving, the pipeline must not be left stranded.
            var (pipeline, _) = EngineHarness.OneActivity("delay", new() { ["ms"] = random.Next(0, 6) });
            await _h.StartAsync(pipeline);
            var pause = await EngineApi.PausePipelineAsync(_h.Engine, pipeline.Id);
            if (!pause.Result)
            {
                // The whole pipeline finished before the pause arrived: nothing to race.
                Assert.Equal(NodeState.Finished, (await _h.StateAsync(pipeline.Id))!.Name);
                continue;
            }

            var resumeAfter = random.Next(0, 6);
            var (resume, _) = await RaceAsync(
                async () =>
                {
                    await Task.Delay(resumeAfter);
                    return await EngineApi.ResumePipelineAsync(_h.Engine, pipeline.Id);
                },
                () => Task.FromResult(EngineApiResult.Success()));

            Assert.True(resume.Result, $"round {round}: {resume.Message}");
            await _h.WaitStateAsync(pipeline.Id, NodeState.Finished, seconds: 10);
            Assert.Equal(NodeState.Finished, (await _h.StateAsync(pipeline.EndEvent.Id))!.Name);
        }
    }
}
