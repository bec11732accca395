namespace Bamboo.Engine.Exceptions;

/// <summary>
/// A run's node ids could not all be indexed (<see cref="Runtime.IRunStore.InsertAsync"/>): one is in use already, by
/// another run or twice in this one. Nothing of the work that inserted it is stored; which id it was is for
/// <see cref="Runtime.IRunStore.FindTakenAsync"/> to say.
/// </summary>
public sealed class NodeIdsTakenException(string rootId) : BambooException($"run {rootId}: one of its node ids is in use already")
{
    public string RootId { get; } = rootId;
}
