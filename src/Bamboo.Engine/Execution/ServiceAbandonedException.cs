namespace Bamboo.Engine.Execution;

/// <summary>
/// A service call whose node moved on while it ran (forced fail, revoke, a retry elsewhere): the engine cancelled and
/// abandoned it, freeing its slot; its result would have been refused anyway.
/// </summary>
internal sealed class ServiceAbandonedException : Exception
{
    public ServiceAbandonedException()
        : base("the node moved on while its service call ran")
    {
    }
}
