using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bamboo.Engine.Execution;

/// <summary>How many UTF-8 bytes JSON would take, written to a stream that only counts (nothing is kept).</summary>
internal static class JsonSize
{
    public static long Of(params JsonNode?[] nodes)
    {
        using var counter = new CountingStream();
        using (var writer = new Utf8JsonWriter(counter))
        {
            foreach (var node in nodes)
            {
                if (node is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    node.WriteTo(writer);
                }

                writer.Flush();
                writer.Reset();
            }
        }

        return counter.Length;
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
