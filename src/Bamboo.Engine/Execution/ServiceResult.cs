using System.Text.Json.Nodes;
using Bamboo.Engine.Components;

namespace Bamboo.Engine.Execution;

/// <summary>What a service call decided for its node.</summary>
internal enum Verdict
{
    Finish,
    Schedule,
    Fail,
    Ignored,
    KeepWaiting,
}

/// <summary>The outcome of one execute or schedule call, with the data the service left behind.</summary>
internal sealed record ServiceResult(Verdict Verdict, JsonObject Inputs, JsonObject Outputs, ScheduleType? ScheduleType, TimeSpan? NextPoll = null);
