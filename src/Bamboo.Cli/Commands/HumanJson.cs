using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bamboo.Cli.Commands;

/// <summary>
/// JSON as the CLI shows it to people (inputs, outputs, data): indented, with other scripts' letters and quotes as
/// they are rather than \u escapes. Still valid JSON; <c>--json</c> keeps the HTTP API's escaped form for machines.
/// </summary>
internal static class HumanJson
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
