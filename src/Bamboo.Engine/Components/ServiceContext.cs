using Microsoft.Extensions.Logging;

namespace Bamboo.Engine.Components;

/// <summary>Runtime attributes a service sees on every call.</summary>
public sealed record ServiceContext(
    string NodeId, string Version, string TopPipelineId, string RootPipelineId, int Loop, int InnerLoop,
    TimeProvider Time, ILogger Logger);
