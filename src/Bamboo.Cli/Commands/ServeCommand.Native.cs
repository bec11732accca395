namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo serve</c> in the native build, which has no ASP.NET Core: the JIT build beside it serves.</summary>
internal static partial class ServeCommand
{
    public static Task<int> RunAsync(StoreLocation location, string? urls, string[] tokens, bool noWorkers, string[] components, CancellationToken ct) =>
        Task.FromResult(JitHandoff.Exec("bamboo serve"));
}
