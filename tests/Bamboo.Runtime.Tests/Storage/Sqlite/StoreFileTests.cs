using System.Globalization;
using Bamboo.Engine.Exceptions;
using Bamboo.Runtime.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>
/// What a store path may hold. Anything but a Bamboo store or a new one is refused with one StoreOpenException before
/// SQLite writes anything: the file keeps its bytes and no -wal, -shm or -journal file appears beside it.
/// </summary>
public sealed class StoreFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-storefile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static SqliteStore Open(string path, bool readOnly = false, bool createFolder = false) =>
        new(new SqliteStoreOptions { DatabasePath = path, ReadOnly = readOnly, CreateFolder = createFolder });

    private static StoreOpenException Refused(string path, bool readOnly = false) =>
        Assert.Throws<StoreOpenException>(() => Open(path, readOnly).Dispose());

    private string[] Files() => [.. Directory.EnumerateFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Makes the file what the store's scripts up to <paramref name="version"/> made (a store of an older build).</summary>
    private static void CreateAtVersion(string path, int version)
    {
        var assembly = typeof(SqliteStore).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[(name.IndexOf(".Schema.", StringComparison.Ordinal) + ".Schema.".Length)..];
            if (int.Parse(file[..4], CultureInfo.InvariantCulture) > version)
            {
                break;
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            Execute(path, reader.ReadToEnd());
        }

        Execute(path, $"PRAGMA journal_mode=WAL; PRAGMA user_version = {version};");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_Folder_IsRefused(bool readOnly)
    {
        var folder = Directory.CreateDirectory(PathOf("store.db")).FullName;

        var ex = Refused(folder, readOnly);

        Assert.Equal(folder, ex.Path);
        Assert.Contains("folder", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["store.db"], Files());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_RandomBytes_IsRefusedAndLeftUnchanged(bool readOnly)
    {
        var path = PathOf("random.bin");
        var bytes = new byte[8192];
        new Random(42).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var ex = Refused(path, readOnly);

        Assert.Contains("not a SQLite database", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["random.bin"], Files());
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("", true)]
    [InlineData("   ", false)]
    public void Open_EmptyPath_IsRefused(string path, bool readOnly)
    {
        var ex = Refused(path, readOnly);

        Assert.Contains("path is empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_DevNull_IsRefusedAndNoJournalAppears(bool readOnly)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "/dev/null is a Unix device");

        var ex = Refused("/dev/null", readOnly);

        Assert.Equal("/dev/null", ex.Path);
        Assert.All(new[] { "-wal", "-shm", "-journal" }, suffix => Assert.False(File.Exists("/dev/null" + suffix), "/dev/null" + suffix));
    }

    [Theory]
    [InlineData("DELETE", false)]
    [InlineData("DELETE", true)]
    [InlineData("WAL", false)]
    [InlineData("WAL", true)]
    public void Open_ForeignSqliteFile_IsRefusedAndLeftByteForByte(string journalMode, bool readOnly)
    {
        var path = PathOf("other.db");
        Execute(path, $"PRAGMA journal_mode={journalMode}; CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');");
        var bytes = File.ReadAllBytes(path);

        var ex = Refused(path, readOnly);

        Assert.Contains("another application", ex.Message, StringComparison.Ordinal);
        Assert.Contains("users", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["other.db"], Files());
    }

    [Fact]
    public void Open_ForeignApplicationId_IsRefused()
    {
        var path = PathOf("other.db");
        Execute(path, "PRAGMA application_id = 1234;");
        var bytes = File.ReadAllBytes(path);

        var ex = Refused(path);

        Assert.Contains("application id 0x000004D2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_NewerSchema_IsRefusedNamingBothVersions(bool readOnly)
    {
        var path = PathOf("store.db");
        Open(path).Dispose();
        var newer = SchemaMigrator.LatestVersion + 1;
        Execute(path, $"PRAGMA user_version = {newer};");
        var bytes = File.ReadAllBytes(path);

        var ex = Refused(path, readOnly);

        Assert.Contains($"schema version {newer}, newer than this build's {SchemaMigrator.LatestVersion}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["store.db"], Files());
    }

    [Fact]
    public void Open_WhereSQLiteCannotCreateAFile_IsRefusedAsBadInput()
    {
        Assert.SkipUnless(Directory.Exists("/proc/self"), "needs Linux's /proc, where no file can be created");

        var ex = Refused("/proc/bamboo-test.db");

        Assert.Contains("SQLite cannot open or create a database file here", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenReadOnly_MissingFile_CreatesNothing()
    {
        var path = PathOf("missing.db");

        var ex = Refused(path, readOnly: true);

        Assert.Contains("no store here", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Files());
    }

    [Fact]
    public void OpenReadOnly_EmptyFile_IsRefusedAndStaysEmpty()
    {
        var path = PathOf("empty.db");
        File.WriteAllBytes(path, []);

        var ex = Refused(path, readOnly: true);

        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal(["empty.db"], Files());
    }

    [Fact]
    public void OpenReadOnly_OlderSchema_IsRefusedAndNotMigrated()
    {
        var path = PathOf("old.db");
        CreateAtVersion(path, 1);
        var bytes = File.ReadAllBytes(path);

        var ex = Refused(path, readOnly: true);

        Assert.Contains($"schema version 1, older than this build's {SchemaMigrator.LatestVersion}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bamboo worker", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["old.db"], Files());
    }

    [Fact]
    public async Task OpenReadOnly_CurrentStore_ReadsAndLeavesNoLogBehind()
    {
        var path = PathOf("store.db");
        await using (var writer = Open(path))
        {
            await writer.WriteAsync(async tx => await tx.Tasks.EnqueueAsync(Engine.Runtime.TaskRecord.Execute("root", 1, "node")));
        }

        var bytes = File.ReadAllBytes(path);

        await using (var sut = Open(path, readOnly: true))
        {
            Assert.Single(await sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root")));
        }

        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["store.db"], Files());
    }

    [Fact]
    public async Task OpenReadOnly_NewStoreWhoseProcessDiedBeforeItsFirstCheckpoint_Opens()
    {
        var path = PathOf("store.db");
        var crashed = PathOf("crashed.db");
        await using (var writer = Open(path))
        {
            await writer.WriteAsync(async tx => await tx.Tasks.EnqueueAsync(Engine.Runtime.TaskRecord.Execute("root", 1, "node")));
            // The files as a process killed now leaves them: the schema and the row only in the log.
            File.Copy(path, crashed);
            File.Copy(path + "-wal", crashed + "-wal");
        }

        await using var sut = Open(crashed, readOnly: true);

        Assert.Single(await sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root")));
    }

    [Fact]
    public void Open_MissingFolder_IsRefusedAndNotCreated()
    {
        var path = PathOf(Path.Combine("typo", "store.db"));

        var ex = Refused(path);

        Assert.Contains($"folder {Path.Combine(_dir, "typo")} does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Files());
    }

    [Fact]
    public void Open_MissingFolderWhenAllowed_CreatesFolderAndStore()
    {
        var path = PathOf(Path.Combine(".bamboo", "bamboo.db"));

        Open(path, createFolder: true).Dispose();

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Open_EmptyFileOrEmptyDatabase_BecomesAStampedStore()
    {
        var emptyFile = PathOf("empty.db");
        File.WriteAllBytes(emptyFile, []);
        var emptyDatabase = PathOf("vacuumed.db");
        Execute(emptyDatabase, "CREATE TABLE t (x); DROP TABLE t;");

        Open(emptyFile).Dispose();
        Open(emptyDatabase).Dispose();

        foreach (var path in new[] { emptyFile, emptyDatabase })
        {
            Assert.Equal(SchemaMigrator.ApplicationId, Scalar(path, "PRAGMA application_id"));
            Assert.Equal(SchemaMigrator.LatestVersion, Scalar(path, "PRAGMA user_version"));
        }
    }

    [Fact]
    public void Open_StoreOfAnOlderBuildWithoutApplicationId_IsMigratedAndStamped()
    {
        var path = PathOf("old.db");
        CreateAtVersion(path, 1);

        Open(path).Dispose();

        Assert.Equal(SchemaMigrator.ApplicationId, Scalar(path, "PRAGMA application_id"));
        Assert.Equal(SchemaMigrator.LatestVersion, Scalar(path, "PRAGMA user_version"));
    }

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
