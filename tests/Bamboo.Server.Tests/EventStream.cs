using System.Text.Json.Nodes;

namespace Bamboo.Server.Tests;

/// <summary>Reads a text/event-stream response: each event's type and JSON data, in order, until the stream ends.</summary>
internal static class EventStream
{
    public static async Task<List<(string Event, JsonObject Data)>> ReadAllAsync(HttpResponseMessage response, TimeSpan timeout)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var cts = new CancellationTokenSource(timeout);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<(string, JsonObject)>();
        string? type = null;
        string? data = null;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && data is not null)
            {
                events.Add((type ?? "message", Assert.IsType<JsonObject>(JsonNode.Parse(data))));
                (type, data) = (null, null);
            }
        }

        return events;
    }
}
