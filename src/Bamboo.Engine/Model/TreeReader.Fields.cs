using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Bamboo.Engine.Model;

internal sealed partial class TreeReader
{
    // Field indexes of the objects read most often; the name tables below list the names in the same order.
    private const int NodeId = 0;
    private const int NodeType = 1;
    private const int NodeName = 2;
    private const int NodeIncoming = 3;
    private const int NodeOutgoing = 4;
    private const int NodeComponent = 5;
    private const int NodeErrorIgnorable = 6;
    private const int NodeSkippable = 7;
    private const int NodeRetryable = 8;
    private const int NodePipeline = 9;
    private const int NodeParams = 10;
    private const int NodeConditions = 11;
    private const int NodeDefaultCondition = 12;
    private const int NodeExtraInfo = 13;
    private const int NodeConvergeGatewayId = 14;
    private const int NodeTimeout = 15;

    private const int PipelineId = 0;
    private const int PipelineStartEvent = 1;
    private const int PipelineEndEvent = 2;
    private const int PipelineActivities = 3;
    private const int PipelineGateways = 4;
    private const int PipelineFlows = 5;
    private const int PipelineDataField = 6;

    private const int ComponentCode = 0;
    private const int ComponentVersion = 1;
    private const int ComponentInputs = 2;

    private const int DataInputs = 0;
    private const int DataOutputs = 1;
    private const int DataPreRenderKeys = 2;

    private const int FlowId = 0;
    private const int FlowSource = 1;
    private const int FlowTarget = 2;
    private const int FlowIsDefault = 3;

    private const int VarType = 0;
    private const int VarValue = 1;
    private const int VarSourceAct = 2;
    private const int VarSourceKey = 3;
    private const int VarCustomType = 4;
    private const int VarNeedInitialization = 5;
    private const int VarNeedRender = 6;

    private static readonly FieldNames NodeFields = new(
        "id", "type", "name", "incoming", "outgoing", "component", "error_ignorable", "skippable", "retryable", "pipeline", "params",
        "conditions", "default_condition", "extra_info", "converge_gateway_id", "timeout");

    private static readonly FieldNames PipelineFields = new("id", "start_event", "end_event", "activities", "gateways", "flows", "data");

    private static readonly FieldNames ComponentFields = new("code", "version", "inputs");

    private static readonly FieldNames DataFields = new("inputs", "outputs", "pre_render_keys");

    private static readonly FieldNames FlowFields = new("id", "source", "target", "is_default");

    private static readonly FieldNames VarFields = new("type", "value", "source_act", "source_key", "custom_type", "need_initialization", "need_render");

    /// <summary>The names of the fields <see cref="Scan"/> looks for, as text and as UTF-8.</summary>
    private sealed class FieldNames(params string[] names)
    {
        public string[] Text { get; } = names;

        public byte[][] Utf8 { get; } = [.. names.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The values of an object's known fields; null where a field is absent or JSON null.</summary>
    [InlineArray(16)]
    private struct Fields
    {
        private JsonElement? _first;
    }

    /// <summary>
    /// Finds the known fields of an object in one pass over its properties, comparing raw UTF-8 names: looking each
    /// field up by name scanned the object once per field, which was a large part of reading a big tree.
    /// </summary>
    private void Scan(JsonElement obj, FieldNames names, Span<JsonElement?> values)
    {
        var seen = 0;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            var index = raw.Contains((byte)'\\') ? Array.IndexOf(names.Text, property.Name) : IndexOf(names.Utf8, raw);
            if (index < 0)
            {
                continue;
            }

            if ((seen & (1 << index)) != 0)
            {
                throw Error(names.Text[index], "is repeated (a key may occur once in an object)");
            }

            seen |= 1 << index;
            if (property.Value.ValueKind != JsonValueKind.Null)
            {
                values[index] = property.Value;
            }
        }
    }

    private static int IndexOf(byte[][] names, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
