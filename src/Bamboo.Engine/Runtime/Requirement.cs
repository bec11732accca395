namespace Bamboo.Engine.Runtime;

/// <summary>
/// The names of what a task may require of the worker that claims it: a component (code and version), a lazy
/// variable type or an executable end event. A worker's capabilities are the same names for what it has registered.
/// </summary>
public static class Requirement
{
    public static string Component(string code, string? version) =>
        $"component:{code}@{(string.IsNullOrEmpty(version) ? Components.ComponentRegistry.DefaultVersion : version)}";

    public static string Variable(string code) => $"variable:{code}";

    public static string EndEvent(string code) => $"end_event:{code}";

    /// <summary>A requirement as people read it: "component hello_cs (version legacy)".</summary>
    public static string Describe(string requirement) => requirement.Split(':', 2) switch
    {
        ["component", var rest] when rest.Split('@', 2) is [var code, var version] => $"component {code} (version {version})",
        ["variable", var code] => $"variable type {code}",
        ["end_event", var code] => $"executable end event {code}",
        _ => requirement,
    };
}
