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
        string.IsNullOrWhiteSpace(parse.GetValue(Postgres)) ? new StoreLocation(parse.GetValue(Db)!, null) : new StoreLocation(null, parse.GetValue(Postgres));
}

/// <summary>A SQLite file or a PostgreSQL connection string.</summary>
internal sealed record StoreLocation(string? Database, string? Postgres)
{
    /// <summary>The arguments that point another command at this store, e.g. for "continue with: bamboo worker ...".</summary>
    public string Arguments => Postgres is null ? $"--db {Database}" : "--postgres '<connection>'";

    public override string ToString() =>
        Postgres is null ? Path.GetFullPath(Database!) : "PostgreSQL " + new Npgsql.NpgsqlConnectionStringBuilder(Postgres) { Password = null }.ConnectionString;
}
