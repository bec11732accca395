namespace Bamboo.Runtime.Tests;

/// <summary>A database path in the temp folder; its files (with the WAL and shared-memory files) go away on dispose.</summary>
internal sealed class TempDatabase(string prefix) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bamboo-{prefix}-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        foreach (var f in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            File.Delete(f);
        }
    }
}
