using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>Pairs every diverging gateway with the converge gateway that closes it (validation.md §4).</summary>
internal sealed class ConvergeMatcher
{
    private const string MustConvergeAll = "exclusive gateway inside a parallel gateway must converge all branches to one converge gateway";

    private readonly LevelGraph _graph;
    private readonly Dictionary<string, Gw> _gateways = [];
    private readonly Dictionary<string, int?> _dist = [];
    private readonly Dictionary<string, int> _positiveIn = [];
    private readonly Dictionary<string, List<Gw>> _claimers = [];
    private readonly Dictionary<string, HashSet<string>> _blocks = [];
    private readonly List<Gw> _stack = [];
    private string _currentBlock = "";

    private sealed class Gw(GatewayNode node, List<string?> targets)
    {
        public GatewayNode Node { get; } = node;

        public List<string?> Targets { get; } = targets;

        public string? Match { get; set; }

        public bool Shared { get; set; }

        public bool IsConverge => Node.Kind == NodeKind.ConvergeGateway;

        public bool IsParallel => Node.IsForking;
    }

    private ConvergeMatcher(LevelGraph graph) => _graph = graph;

    public static Dictionary<string, string> Match(LevelGraph graph) => new ConvergeMatcher(graph).Run();

    private Dictionary<string, string> Run()
    {
        foreach (var g in _graph.Pipeline.Gateways.Values)
        {
            _gateways[g.Id] = new Gw(g, _graph.TargetIds(g.Id).Select(t => (string?)_graph.FollowActivities(t)).ToList());
        }

        foreach (var g in _gateways.Values)
        {
            if (Dist(g.Node.Id) is null)
            {
                throw new ConvergeMatchException(g.Node.Id, "cannot compute distance from start (the gateway is unreachable)");
            }
        }

        foreach (var g in _gateways.Values)
        {
            foreach (var t in g.Targets)
            {
                if (t is not null && IsConverge(t) && Dist(t) > Dist(g.Node.Id))
                {
                    _positiveIn[t] = _positiveIn.GetValueOrDefault(t) + 1;
                }
            }
        }

        var ordered = _gateways.Values.Where(g => !g.IsConverge).OrderBy(g => Dist(g.Node.Id)).ToList();
        foreach (var g in ordered)
        {
            if (_blocks.Values.Any(b => b.Contains(g.Node.Id)))
            {
                continue;
            }

            _currentBlock = g.Node.Id;
            _blocks[g.Node.Id] = [];
            MatchGateway(g);
        }

        return _gateways.Values.Where(g => g.Match is not null).ToDictionary(g => g.Node.Id, g => g.Match!);
    }

    private bool IsConverge(string id) => _gateways.TryGetValue(id, out var g) && g.IsConverge;

    private bool IsDiverging(string? id) => id is not null && _gateways.TryGetValue(id, out var g) && !g.IsConverge;

    private int? Dist(string id)
    {
        if (_dist.TryGetValue(id, out var d) && d is not null)
        {
            return d;
        }

        var onWalk = new HashSet<string>();
        return Compute(id);

        int? Compute(string n)
        {
            if (_dist.TryGetValue(n, out var known) && known is not null)
            {
                return known;
            }

            if (n == _graph.Pipeline.StartEvent.Id)
            {
                return _dist[n] = 0;
            }

            onWalk.Add(n);
            int? best = null;
            foreach (var s in _graph.Sources[_graph.IndexOf(n)].Select(i => _graph.Nodes[i].Id))
            {
                if (onWalk.Contains(s))
                {
                    continue;
                }

                var sd = Compute(s);
                if (sd is not null && (best is null || sd + 1 > best))
                {
                    best = sd + 1;
                }
            }

            onWalk.Remove(n);
            if (best is not null)
            {
                _dist[n] = best;
            }

            return best;
        }
    }

    private (string? Converge, bool Shared) MatchGateway(Gw cur)
    {
        if (cur.IsConverge)
        {
            return (null, false);
        }

        if (cur.Match is not null)
        {
            return (cur.Match, cur.Shared);
        }

        _stack.Add(cur);
        var block = _blocks[_currentBlock];
        for (var i = 0; i < cur.Targets.Count; i++)
        {
            var t = cur.Targets[i];
            if (t is null)
            {
                continue;
            }

            if (_blocks.Any(b => b.Key != _currentBlock && b.Value.Contains(t)))
            {
                cur.Targets[i] = null;
                continue;
            }

            block.Add(t);
            var guard = 0;
            while (IsDiverging(cur.Targets[i]) && cur.Targets[i] != cur.Node.Id && guard++ < 10_000)
            {
                var target = _gateways[cur.Targets[i]!];
                var at = _stack.IndexOf(target);
                if (at >= 0)
                {
                    if (!_stack.Skip(at).Any(g => g.IsParallel))
                    {
                        cur.Targets[i] = null;
                        break;
                    }

                    throw new ConvergeMatchException(cur.Node.Id, MustConvergeAll);
                }

                var (c, shared) = MatchGateway(target);
                if (c is not null)
                {
                    cur.Targets[i] = c;
                    if (!shared || !CanShare(cur, c))
                    {
                        cur.Targets[i] = _graph.FirstNonActivityAfter(c);
                    }
                }
                else
                {
                    cur.Targets[i] = _graph.Pipeline.EndEvent.Id;
                }
            }

            var ti = cur.Targets[i];
            if (ti is not null && IsConverge(ti) && Dist(ti) < Dist(cur.Node.Id))
            {
                cur.Targets[i] = null;
            }
        }

        _stack.RemoveAt(_stack.Count - 1);

        var isExclusive = cur.Node.Kind == NodeKind.ExclusiveGateway;
        var reach = cur.Targets.Count;
        string? convergeId = null;
        foreach (var t in cur.Targets)
        {
            if (t is not null && IsConverge(t) && (convergeId is null || convergeId == t))
            {
                convergeId = t;
            }
            else if (isExclusive && t == _graph.Pipeline.EndEvent.Id)
            {
                if (_stack.Any(g => g.IsParallel))
                {
                    throw new ConvergeMatchException(cur.Node.Id, MustConvergeAll);
                }
            }
            else if (isExclusive && (t is null || t == cur.Node.Id))
            {
                reach--;
            }
            else if (isExclusive && t is not null && IsConverge(t))
            {
                throw new ConvergeMatchException(cur.Node.Id, "all branches of an exclusive gateway must first reach the same converge gateway");
            }
            else
            {
                throw new ConvergeMatchException(cur.Node.Id,
                    $"invalid gateway, check its branches; cur_index: {cur.Node.Id}, targets: [{string.Join(", ", cur.Targets.Select(x => x ?? "None"))}]");
            }
        }

        var sharedResult = false;
        if (convergeId is not null)
        {
            var claimers = _claimers.GetValueOrDefault(convergeId) ?? [];
            if (isExclusive)
            {
                sharedResult = _positiveIn.GetValueOrDefault(convergeId) > reach || claimers.Any(c => c != cur);
            }
            else
            {
                var inCount = _graph.Sources[_graph.IndexOf(convergeId)].Length;
                var outCount = cur.Targets.Count;
                if (inCount > outCount)
                {
                    if (claimers.Any(c => c.IsParallel && c != cur))
                    {
                        throw new ConvergeMatchException(convergeId, "a converge gateway may only converge branches of one parallel gateway");
                    }

                    sharedResult = true;
                }
                else if (inCount < outCount)
                {
                    throw new ConvergeMatchException(convergeId, "converge gateway does not converge all branches of its parallel gateway");
                }
            }

            claimers.Add(cur);
            _claimers[convergeId] = claimers;
        }

        cur.Match = convergeId;
        cur.Shared = sharedResult;
        block.Add(cur.Node.Id);
        return (convergeId, sharedResult);
    }

    private bool CanShare(Gw cur, string converge) =>
        !cur.IsParallel || !_claimers.GetValueOrDefault(converge, []).Any(c => c != cur && c.IsParallel);
}
