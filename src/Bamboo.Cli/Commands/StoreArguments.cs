using System.CommandLine;

namespace Bamboo.Cli.Commands;

/// <summary>
/// Where a command's store is: <c>--db FILE</c> (the embedded SQLite store, the default) or <c>--postgres CONN</c>
/// (a shared PostgreSQL database; the environment variable BAMBOO_POSTGRES gives a default).
/// </summary>
internal sealed class StoreArguments
{
    public const string PostgresVariable = "BAMBOO_POSTGRES";

    public Option<string> Db { get; } = new("--db") { Description = "SQLite database file", DefaultValueFactory = _ => CliHost.DefaultDatabase };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = $"PostgreSQL connection string (default: ${PostgresVariable}); overrides --db",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(PostgresVariable),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Postgres);
    }

    public StoreLocation Get(ParseResult parse) =>
        string.IsNullOrWhiteSpace(parse.GetValue(Postgres))
            ? new StoreLocation(parse.GetValue(Db)!, null) { Given = parse.GetResult(Db) is { Implicit: false } }
            : new StoreLocation(null, parse.GetValue(Postgres)) { Given = parse.GetResult(Postgres) is { Implicit: false } };
}

/// <summary>A SQLite file or a PostgreSQL connection string.</summary>
internal sealed record StoreLocation(string? Database, string? Postgres)
{
    /// <summary>Whether the command line named the store (rather than the default file or $BAMBOO_POSTGRES).</summary>
    public bool Given { get; init; } = true;

    /// <summary>
    /// The flags that point another command at this store, with a leading space, for the hints a command prints
    /// ("continue with: bamboo worker ..."); none when the next command finds the store by itself. A connection string
    /// is never printed: it may hold a password.
    /// </summary>
    public string Flags => !Given ? "" : Postgres is null ? $" --db {Follow.ShellWord(Database!)}" : " --postgres '<connection>'";

    public override string ToString() =>
        Postgres is null ? Path.GetFullPath(Database!) : "PostgreSQL " + new Npgsql.NpgsqlConnectionStringBuilder(Postgres) { Password = null }.ConnectionString;
}
