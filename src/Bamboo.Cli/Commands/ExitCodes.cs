namespace Bamboo.Cli.Commands;

/// <summary>What the bamboo command exits with.</summary>
internal static class ExitCodes
{
    /// <summary>Done: the pipeline finished, or waits for something outside (a callback, a resume).</summary>
    public const int Ok = 0;

    /// <summary>The pipeline stopped at a failed node.</summary>
    public const int Failed = 1;

    /// <summary>Bad input, or the engine refused the call.</summary>
    public const int Refused = 2;

    /// <summary>The store failed (a full disk, an I/O error, a file that is not a store); what committed is safe.</summary>
    public const int StoreFailed = 3;

    /// <summary>Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); what the command held was handed back.</summary>
    public const int Interrupted = 130;
}
