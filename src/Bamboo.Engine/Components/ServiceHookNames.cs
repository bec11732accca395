namespace Bamboo.Engine.Components;

/// <summary>bamboo's snake_case name of a hook ("node_enter", "pre_execute", ...).</summary>
public static class ServiceHookNames
{
    public static string Name(this ServiceHook hook) =>
        string.Concat(hook.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
