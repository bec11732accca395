using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bamboo.Runtime.Relational;

/// <summary>
/// JSON written straight to UTF-8 through one reused writer (the store binds UTF-8 text as it is). JsonSerializer
/// looks up a converter and its options on every call, which costs more than writing a step's small objects.
/// Same output as JsonSerializer with default options. Not thread-safe: one per transaction object.
/// </summary>
internal sealed class JsonText : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    public JsonText() => _writer = new Utf8JsonWriter(_buffer);

    public byte[] Of(JsonNode node)
    {
        Start();
        node.WriteTo(_writer);
        return Written();
    }

    public byte[] Of(IEnumerable<string> strings)
    {
        Start();
        _writer.WriteStartArray();
        foreach (var s in strings)
        {
            _writer.WriteStringValue(s);
        }

        _writer.WriteEndArray();
        return Written();
    }

    private void Start()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
    }

    private byte[] Written()
    {
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _writer.Dispose();
}
