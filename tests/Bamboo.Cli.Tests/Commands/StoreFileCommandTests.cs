namespace Bamboo.Cli.Tests.Commands;

/// <summary>
/// A <c>--db</c> that is not a Bamboo store: the command prints one line on stderr (no stack trace), exits 2, and
/// leaves the file as it was. Runs Program.cs itself (its entry point), where store errors become that line.
/// </summary>
[Collection("console")]
public sealed class StoreFileCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-storefile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string[] Files() => [.. Directory.EnumerateFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static string Example(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(name);
    }

    private static async Task<(int Code, string[] Errors)> BambooAsync(params string[] args)
    {
        using var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            // On the thread pool: the entry point blocks on the async Main, which must not wait for this test's context.
            var main = typeof(CliApp).Assembly.EntryPoint!;
            var code = await Task.Run(() => (int)main.Invoke(null, [args])!);
            return (code, error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Console.SetError(original);
        }
    }

    private static void Sqlite(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static TheoryData<string> NotAStore() => ["folder", "random", "empty-path", "dev-null", "foreign"];

    // A command that only reads creates no store where there is none.
    public static TheoryData<string> NotAStoreToRead() => [.. NotAStore(), "missing"];

    private string Prepare(string kind)
    {
        switch (kind)
        {
            case "folder":
                return Directory.CreateDirectory(PathOf("store.db")).FullName;
            case "random":
                var bytes = new byte[4096];
                new Random(7).NextBytes(bytes);
                File.WriteAllBytes(PathOf("random.bin"), bytes);
                return PathOf("random.bin");
            case "empty-path":
                return "";
            case "dev-null":
                return "/dev/null";
            case "foreign":
                Sqlite(PathOf("other.db"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');");
                return PathOf("other.db");
            default:
                return PathOf("missing.db");
        }
    }

    [Theory]
    [MemberData(nameof(NotAStoreToRead))]
    public async Task States_NotAStore_PrintsOneLineAndExitsTwo(string kind)
    {
        Assert.SkipWhen(kind == "dev-null" && OperatingSystem.IsWindows(), "/dev/null is a Unix device");
        var db = Prepare(kind);
        var before = Files();

        var (code, errors) = await BambooAsync("states", "p_hello", "--db", db);

        Assert.Equal(2, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("store: ", line, StringComparison.Ordinal);
        Assert.Equal(before, Files());
    }

    [Theory]
    [MemberData(nameof(NotAStore))]
    public async Task Run_NotAStore_PrintsOneLineAndExitsTwo(string kind)
    {
        Assert.SkipWhen(kind == "dev-null" && OperatingSystem.IsWindows(), "/dev/null is a Unix device");
        var db = Prepare(kind);
        var before = Files();

        var (code, errors) = await BambooAsync("run", Example("hello.json"), "--db", db);

        Assert.Equal(2, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("store: ", line, StringComparison.Ordinal);
        Assert.Equal(before, Files());
    }

    [Fact]
    public async Task Run_ForeignSqliteFile_LeavesItByteForByte()
    {
        var db = PathOf("other.db");
        Sqlite(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');");
        var bytes = File.ReadAllBytes(db);

        var (code, errors) = await BambooAsync("run", Example("hello.json"), "--db", db);

        Assert.Equal(2, code);
        Assert.Equal($"store: {db}: not a Bamboo store: a SQLite database of another application (tables: users); it was left unchanged", Assert.Single(errors));
        Assert.Equal(bytes, File.ReadAllBytes(db));
        Assert.Equal(["other.db"], Files());
    }

    [Fact]
    public async Task Run_MistypedFolder_SaysSoAndCreatesNoFolder()
    {
        var db = PathOf(Path.Combine("typo", "store.db"));

        var (code, errors) = await BambooAsync("run", Example("hello.json"), "--db", db);

        Assert.Equal(2, code);
        Assert.Equal($"store: {db}: folder {PathOf("typo")} does not exist", Assert.Single(errors));
        Assert.Empty(Files());
    }

    [Fact]
    public async Task States_AfterRun_ReadsTheStoreWithoutChangingIt()
    {
        var db = PathOf("store.db");
        Assert.Equal(0, (await BambooAsync("run", Example("hello.json"), "--db", db)).Code);
        var bytes = File.ReadAllBytes(db);

        var (code, errors) = await BambooAsync("states", "p_hello", "--db", db);

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Equal(bytes, File.ReadAllBytes(db));
        Assert.Equal(["store.db"], Files());
    }
}
