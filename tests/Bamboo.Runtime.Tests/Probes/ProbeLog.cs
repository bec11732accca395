namespace Bamboo.Runtime.Tests.Probes;

/// <summary>
/// A folder in which every probe execution leaves one empty file named after its node, process and a unique id:
/// counting executions across threads and processes without any shared writes.
/// </summary>
internal sealed class ProbeLog(string folder)
{
    public string Folder { get; } = folder;

    public static void Record(string folder, string nodeId)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{nodeId}~{Environment.ProcessId}~{Guid.NewGuid():N}"), []);
    }

    /// <summary>The node id of every execution so far.</summary>
    public List<string> Executions() =>
        Directory.Exists(Folder) ? [.. Directory.EnumerateFiles(Folder).Select(f => Path.GetFileName(f).Split('~')[0])] : [];

    public int Count(string nodeId) => Executions().Count(id => id == nodeId);
}
