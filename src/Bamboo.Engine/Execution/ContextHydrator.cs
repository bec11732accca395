using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Expressions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

/// <summary>Resolves context values into plain values (data.md §4): splice rendering, lazy variables, cycle detection.</summary>
internal static class ContextHydrator
{
    /// <summary>Loads the values an expression set needs: its references plus their stored closures.</summary>
    public static async ValueTask<IReadOnlyList<ContextValue>> LoadAsync(IStoreTransaction tx, string pipelineId, IEnumerable<string> references)
    {
        var keys = references.ToHashSet();
        if (keys.Count == 0)
        {
            return [];
        }

        var values = (await tx.Data.GetContextValuesAsync(pipelineId, keys).ConfigureAwait(false)).ToList();
        var missing = values.SelectMany(v => v.References).Where(r => !keys.Contains(r)).ToHashSet();
        if (missing.Count > 0)
        {
            values.AddRange(await tx.Data.GetContextValuesAsync(pipelineId, missing).ConfigureAwait(false));
        }

        return values;
    }

    /// <summary>
    /// Hydrates the values; keys are returned without <c>${}</c>. Throws on a cycle or a failing lazy variable.
    /// <paramref name="compute"/> gives a lazy variable's value from its type code and rendered value; the engine
    /// never runs that user code here, inside a transaction, but looks up what ran outside (<see cref="UserCodeResults"/>).
    /// </summary>
    public static Dictionary<string, JsonNode?> Hydrate(IReadOnlyList<ContextValue> values, Func<string, JsonNode?, JsonNode?> compute)
    {
        if (values.Count == 0)
        {
            return [];
        }

        var byName = new Dictionary<string, ContextValue>();
        foreach (var v in values)
        {
            byName[Strip(v.Key)] = v;
        }

        var resolved = new Dictionary<string, JsonNode?>();
        var visiting = new List<string>();
        foreach (var name in byName.Keys)
        {
            Resolve(name);
        }

        return resolved;

        JsonNode? Resolve(string name)
        {
            if (resolved.TryGetValue(name, out var done))
            {
                return done;
            }

            if (visiting.Contains(name))
            {
                var cycle = visiting.Skip(visiting.IndexOf(name)).Append(name).Select(n => "${" + n + "}");
                throw new ExpressionException($"cyclic reference between variables: {string.Join(" -> ", cycle)}");
            }

            if (visiting.Count > 256)
            {
                throw new ExpressionException("variables reference each other too deeply");
            }

            var v = byName[name];
            JsonNode? result;
            if (v.Type == ContextValueType.Plain)
            {
                result = v.Value;
            }
            else
            {
                visiting.Add(name);
                var map = new Dictionary<string, JsonNode?>();
                foreach (var r in Template.References(v.Value))
                {
                    var rn = Strip(r);
                    if (byName.ContainsKey(rn))
                    {
                        map[rn] = Resolve(rn);
                    }
                }

                visiting.RemoveAt(visiting.Count - 1);
                result = Template.Render(v.Value, map);
                if (v.Type == ContextValueType.Compute)
                {
                    result = compute(v.Code, result);
                }
            }

            resolved[name] = result;
            return result;
        }
    }

    public static string Strip(string key) => key.StartsWith("${", StringComparison.Ordinal) && key.EndsWith('}') ? key[2..^1] : key;
}
