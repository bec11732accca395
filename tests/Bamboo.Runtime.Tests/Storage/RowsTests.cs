using Bamboo.Runtime.Relational;
using Bamboo.Runtime.Relational.Stores;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>The column readers the stores share; lists of strings (a process's stack) are read without reflection.</summary>
public sealed class RowsTests
{
    [Theory]
    [InlineData("[]", new string[0])]
    [InlineData("[\"p_root\"]", new[] { "p_root" })]
    [InlineData("[\"a\", \"b\\\"c\", \"\\u00e9\"]", new[] { "a", "b\"c", "é" })]
    [InlineData("null", new string[0])]
    public void Strings_AJsonArrayOfStrings_IsTheList(string column, string[] expected)
    {
        Assert.Equal(expected, Rows.Strings(new TextRow(column), 0));
    }

    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("[1, 2]")]
    [InlineData("[\"a\", null]")]
    public void Strings_NotAnArrayOfStrings_SaysWhatItGot(string column)
    {
        var error = Assert.Throws<FormatException>(() => Rows.Strings(new TextRow(column), 0));

        Assert.Contains(column, error.Message, StringComparison.Ordinal);
    }

    private sealed class TextRow(string text) : ISqlRow
    {
        public bool IsNull(int column) => false;

        public string GetString(int column) => text;

        public long GetInt64(int column) => throw new NotSupportedException();

        public int GetInt32(int column) => throw new NotSupportedException();
    }
}
