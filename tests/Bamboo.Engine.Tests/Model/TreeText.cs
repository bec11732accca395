using System.Globalization;
using System.Text;

namespace Bamboo.Engine.Tests.Model;

/// <summary>Pipeline trees written straight as bamboo JSON text, for sizes the builder would make slow to set up.</summary>
internal static class TreeText
{
    public static string ActivityId(int i) => "a" + i.ToString("D32", CultureInfo.InvariantCulture);

    private static string FlowId(string prefix, int i) => "f" + prefix + i.ToString("D31", CultureInfo.InvariantCulture);

    /// <summary>start → <paramref name="activities"/> service activities → end, in pipeline <paramref name="id"/>.</summary>
    public static string Sequential(int activities, string id = "p")
    {
        var sb = new StringBuilder();
        AppendSequential(sb, id, activities, "");
        return sb.ToString();
    }

    /// <summary>
    /// A root whose only activity is a subprocess, whose only activity is a subprocess, and so on, <paramref name="depth"/>
    /// levels deep; the innermost pipeline has one service activity.
    /// </summary>
    public static string NestedSubprocesses(int depth)
    {
        // Each level is written with a placeholder for the level below, then cut there: the text is the levels' heads
        // in order, the innermost pipeline, then their tails in reverse (wrapping level by level would be quadratic).
        const string Below = "@BELOW@";
        var heads = new StringBuilder();
        var tails = new List<string>(depth);
        for (var level = 0; level < depth; level++)
        {
            var sub = $"sub{level + 1}";
            var activity = $$"""{"id": "{{sub}}", "type": "SubProcess", "incoming": ["{{FlowId($"l{level}", 0)}}"], "outgoing": "{{FlowId($"l{level}", 1)}}", "params": {}, "pipeline": {{Below}}}""";
            var text = new StringBuilder();
            AppendLevel(text, level == 0 ? "p" : $"sub{level}", $"l{level}", [(sub, activity)]);
            var cut = text.ToString().Split(Below);
            heads.Append(cut[0]);
            tails.Add(cut[1]);
        }

        AppendSequential(heads, $"sub{depth}", 1, $"l{depth}");
        for (var level = depth - 1; level >= 0; level--)
        {
            heads.Append(tails[level]);
        }

        return heads.ToString();
    }

    private static void AppendSequential(StringBuilder sb, string id, int activities, string prefix)
    {
        var nodes = new List<(string Id, string Json)>(activities);
        for (var i = 0; i < activities; i++)
        {
            var a = prefix + ActivityId(i);
            var json = "{\"id\": \"" + a + "\", \"name\": null, \"type\": \"ServiceActivity\", \"incoming\": [\"" + FlowId(prefix, i)
                + "\"], \"outgoing\": \"" + FlowId(prefix, i + 1) + "\", \"component\": {\"code\": \"debug_node\", \"inputs\": {\"k\": {\"type\": \"plain\", \"value\": 1}}}, "
                + "\"error_ignorable\": false, \"skippable\": true, \"retryable\": true, \"timeout\": null, \"optional\": false}";
            nodes.Add((a, json));
        }

        AppendLevel(sb, id, prefix, nodes);
    }

    /// <summary>One pipeline level: start → the activities in order → end, flow i entering activity i.</summary>
    private static void AppendLevel(StringBuilder sb, string id, string prefix, IReadOnlyList<(string Id, string Json)> activities)
    {
        var n = activities.Count;
        var start = prefix + "start";
        var end = prefix + "end";
        sb.Append($$"""{"id": "{{id}}", "start_event": {"id": "{{start}}", "name": null, "type": "EmptyStartEvent", "incoming": "", "outgoing": "{{FlowId(prefix, 0)}}"}, """);
        sb.Append($$"""  "end_event": {"id": "{{end}}", "name": null, "type": "EmptyEndEvent", "incoming": ["{{FlowId(prefix, n)}}"], "outgoing": ""}, "activities": {""");
        for (var i = 0; i < n; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append('"').Append(activities[i].Id).Append("\": ").Append(activities[i].Json);
        }

        sb.Append("}, \"gateways\": {}, \"flows\": {");
        for (var i = 0; i <= n; i++)
        {
            var f = FlowId(prefix, i);
            var source = i == 0 ? start : activities[i - 1].Id;
            var target = i == n ? end : activities[i].Id;
            sb.Append(i == 0 ? "" : ", ").Append('"').Append(f).Append("\": {\"id\": \"").Append(f).Append("\", \"source\": \"").Append(source)
                .Append("\", \"target\": \"").Append(target).Append("\", \"is_default\": false}");
        }

        sb.Append("}, \"data\": {\"inputs\": {}, \"outputs\": []}}");
    }
}
