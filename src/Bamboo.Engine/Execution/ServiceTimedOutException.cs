namespace Bamboo.Engine.Execution;

/// <summary>A service call outlasted its node's timeout; the engine abandoned it and fails the node.</summary>
internal sealed class ServiceTimedOutException : Exception
{
    public ServiceTimedOutException()
        : base("the service call outlasted its timeout")
    {
    }
}
