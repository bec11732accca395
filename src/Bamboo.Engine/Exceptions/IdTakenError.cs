namespace Bamboo.Engine.Exceptions;

/// <summary>
/// run_pipeline: a node id of the tree belongs to another run in this store (ids are unique across the store, since
/// every API call names a node by its id alone). A copy under fresh ids (<see cref="Model.FreshIds"/>) can run.
/// </summary>
public sealed class IdTakenError(string id) : BambooException($"node id {id} is already used by another pipeline in this store")
{
    public string Id { get; } = id;
}
