using Bamboo.Engine.Client;
using Bamboo.Server.Contracts;
using Bamboo.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bamboo.Server.Endpoints;

/// <summary>Nodes: the queries and the operator functions of the Engine API on one node (docs/http-api.md).</summary>
internal static class NodeEndpoints
{
    public static RouteGroupBuilder MapNodeEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/nodes/{id}").WithTags("nodes");
        group.MapGet("/", GetAsync).WithName("get_node");
        group.MapGet("/children-states", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("get_children_states", id, engine.Client.GetChildrenStatesAsync(id, ct), ct)).WithName("get_children_states");
        group.MapGet("/execution-data", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("get_execution_data", id, engine.Client.GetExecutionDataAsync(id, ct), ct)).WithName("get_execution_data");
        group.MapGet("/inputs", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("get_execution_data_inputs", id, engine.Client.GetExecutionDataInputsAsync(id, ct), ct)).WithName("get_execution_data_inputs");
        group.MapGet("/outputs", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("get_execution_data_outputs", id, engine.Client.GetExecutionDataOutputsAsync(id, ct), ct)).WithName("get_execution_data_outputs");
        group.MapGet("/data", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("get_data", id, engine.Client.GetDataAsync(id, ct), ct)).WithName("get_data");
        group.MapGet("/histories", (string id, string? loop, EngineResults engine, CancellationToken ct) =>
            HistoriesAsync("get_node_histories", id, loop, engine, (l, t) => engine.Client.GetNodeHistoriesAsync(id, l, t), ct)).WithName("get_node_histories");
        group.MapGet("/short-histories", (string id, string? loop, EngineResults engine, CancellationToken ct) =>
            HistoriesAsync("get_node_short_histories", id, loop, engine, (l, t) => engine.Client.GetNodeShortHistoriesAsync(id, l, t), ct)).WithName("get_node_short_histories");

        var operate = group.MapGroup("/").RequireAuthorization(AccessRole.Operator);
        operate.MapPost("/pause", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("pause_node_appoint", id, engine.Client.PauseNodeAppointAsync(id, ct), ct)).WithName("pause_node_appoint");
        operate.MapPost("/resume", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("resume_node_appoint", id, engine.Client.ResumeNodeAppointAsync(id, ct), ct)).WithName("resume_node_appoint");
        operate.MapPost("/retry", (string id, RetryNodeRequest? body, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("retry_node", id, engine.Client.RetryNodeAsync(id, body?.Data, ct), ct)).WithName("retry_node");
        operate.MapPost("/retry-subprocess", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("retry_subprocess", id, engine.Client.RetrySubprocessAsync(id, ct), ct)).WithName("retry_subprocess");
        operate.MapPost("/skip", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("skip_node", id, engine.Client.SkipNodeAsync(id, ct), ct)).WithName("skip_node");
        operate.MapPost("/skip-gateway", SkipGatewayAsync).WithName("skip_exclusive_gateway");
        operate.MapPost("/skip-parallel-gateway", SkipParallelGatewayAsync).WithName("skip_conditional_parallel_gateway");
        operate.MapPost("/forced-fail", (string id, ForcedFailRequest? body, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("forced_fail_activity", id, body?.ExData is { } ex
                ? engine.Client.ForcedFailActivityAsync(id, ex, ct)
                : engine.Client.ForcedFailActivityAsync(id, cancellationToken: ct), ct)).WithName("forced_fail_activity");
        operate.MapPost("/callback", (string id, CallbackRequest? body, EngineResults engine, CancellationToken ct) =>
            engine.ForNodeAsync("callback", id, engine.Client.CallbackAsync(id, body?.Data, body?.Version, ct), ct)).WithName("callback");
        return group;
    }

    private static async Task<Results<Ok<NodeDetail>, ProblemHttpResult>> GetAsync(string id, BambooClient client, CancellationToken cancellationToken) =>
        await client.GetNodeAsync(id, cancellationToken) is { } node ? TypedResults.Ok(node) : EngineResults.NodeNotFound(id);

    private static async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult, ValidationProblem>> HistoriesAsync(
        string function, string id, string? loop, EngineResults engine, Func<int, CancellationToken, Task<Engine.Api.EngineApiResult>> call, CancellationToken cancellationToken)
    {
        if (!QueryValue.TryInt(loop, -1, -1, int.MaxValue, out var value))
        {
            return ServerProblems.Field("loop", "must be a whole number (-1: every loop)");
        }

        return await engine.ForNodeCheckedAsync(function, id, call(value, cancellationToken), cancellationToken);
    }

    private static async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult, ValidationProblem>> SkipGatewayAsync(
        string id, SkipGatewayRequest body, EngineResults engine, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(body.FlowId))
        {
            return ServerProblems.Field("flow_id", "required");
        }

        return await engine.ForNodeCheckedAsync("skip_exclusive_gateway", id, engine.Client.SkipExclusiveGatewayAsync(id, body.FlowId, cancellationToken), cancellationToken);
    }

    private static async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult, ValidationProblem>> SkipParallelGatewayAsync(
        string id, SkipParallelGatewayRequest body, EngineResults engine, CancellationToken cancellationToken)
    {
        if (body.FlowIds is null || body.FlowIds.Count == 0)
        {
            return ServerProblems.Field("flow_ids", "required: at least one flow id");
        }

        if (body.FlowIds.Any(string.IsNullOrEmpty))
        {
            return ServerProblems.Field("flow_ids", "every flow id must be a non-empty string");
        }

        if (string.IsNullOrEmpty(body.ConvergeGatewayId))
        {
            return ServerProblems.Field("converge_gateway_id", "required");
        }

        return await engine.ForNodeCheckedAsync("skip_conditional_parallel_gateway", id,
            engine.Client.SkipConditionalParallelGatewayAsync(id, body.FlowIds, body.ConvergeGatewayId, cancellationToken), cancellationToken);
    }
}
