using System.ComponentModel.DataAnnotations;

namespace Bamboo.Server;

/// <summary>
/// Settings of <c>bamboo serve</c>, bound from <c>Bamboo:Server</c> (appsettings, environment variables such as
/// <c>Bamboo__Server__Tokens__0=operator:TOKEN</c>) and from the command line. Checked at startup.
/// </summary>
public sealed class BambooServerOptions
{
    public const string Section = "Bamboo:Server";

    /// <summary>Where the server listens when nothing else says: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public const string DefaultDatabase = ".bamboo/bamboo.db";

    /// <summary>The SQLite store file; ignored when <see cref="Postgres"/> is set.</summary>
    public string Database { get; set; } = DefaultDatabase;

    /// <summary>A PostgreSQL connection string: the shared store instead of a SQLite file.</summary>
    public string? Postgres { get; set; }

    /// <summary>
    /// Access tokens as <c>ROLE:TOKEN</c>, ROLE being <c>reader</c> (GET routes and the event stream) or
    /// <c>operator</c> (everything). None: anonymous access, and only on loopback addresses.
    /// </summary>
    public IList<string> Tokens { get; } = [];

    /// <summary>Run the engine's workers in this process; off when other processes (bamboo worker) run the pipelines.</summary>
    public bool Workers { get; set; } = true;

    /// <summary>Assemblies with [Component]-marked services, lazy variables or end events.</summary>
    public IList<string> Components { get; } = [];

    /// <summary>The largest request body accepted; larger ones get 413.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 4 << 20;

    /// <summary>How often an event stream reads its run for changes other processes made.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan EventPoll { get; set; } = TimeSpan.FromMilliseconds(500);
}
