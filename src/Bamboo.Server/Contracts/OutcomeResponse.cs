using Bamboo.Engine.Client;

namespace Bamboo.Server.Contracts;

/// <summary>How a run stands once nothing moves in it (<c>running</c> while something does), and the nodes that say why.</summary>
public sealed record OutcomeResponse(PipelineEnd End, IReadOnlyList<NodeView> Nodes, IReadOnlyList<string> Requirements)
{
    public static OutcomeResponse From(PipelineOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new OutcomeResponse(outcome.End, outcome.Nodes, outcome.Requirements);
    }
}
