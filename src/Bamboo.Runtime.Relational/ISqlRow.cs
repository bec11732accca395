namespace Bamboo.Runtime.Relational;

/// <summary>The current row of a query, read by column position.</summary>
internal interface ISqlRow
{
    bool IsNull(int column);

    string GetString(int column);

    long GetInt64(int column);

    int GetInt32(int column);
}
