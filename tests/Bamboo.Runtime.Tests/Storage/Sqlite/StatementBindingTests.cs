using Bamboo.Runtime.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>A slot that already holds the value being bound is not bound again; every execution must still see its own values.</summary>
public sealed class StatementBindingTests
{
    [Fact]
    public void Bind_SameSlotValuesOrNew_EachExecutionSeesItsOwnValues()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var statement = new SqliteStatement(connection.Handle!, "SELECT quote($0), quote($1)");
        var bytes = "x"u8.ToArray();
        object?[][] executions =
        [
            [1L, "a"],
            [1L, "b"],
            [null, "b"],
            [null, null],
            [2, true],
            [2L, false],
            ["", ""],
            ["2", bytes],
        ];
        string[] expected = ["1 'a'", "1 'b'", "NULL 'b'", "NULL NULL", "2 1", "2 0", "'' ''", "'2' 'x'"];
        for (var i = 0; i < executions.Length; i++)
        {
            Assert.Equal(expected[i], Run(statement, executions[i]));
        }

        // The same array with new contents: arrays are bound again every time.
        bytes[0] = (byte)'y';
        Assert.Equal("'2' 'y'", Run(statement, ["2", bytes]));
    }

    private static string Run(SqliteStatement statement, object?[] args)
    {
        statement.Bind(args);
        Assert.True(statement.Step());
        var row = $"{statement.GetString(0)} {statement.GetString(1)}";
        statement.Reset();
        return row;
    }
}
