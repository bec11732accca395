using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>Pairs every diverging gateway with the converge gateway that closes it (validation.md §4).</summary>
internal sealed class ConvergeMatcher
{
    private const string MustConvergeAll = "exclusive gateway inside a parallel gateway must converge all branches to one converge gateway";

    private readonly LevelGraph _graph;
    private readonly Dictionary<string, Gw> _gateways = [];
    private readonly int?[] _dist;
    private readonly bool[] _onWalk;
    private readonly bool[] _reachable;
    private readonly Dictionary<string, int> _positiveIn = [];
    private readonly Dictionary<string, List<Gw>> _claimers = [];
    private readonly Dictionary<string, HashSet<string>> _blocks = [];
    private readonly Dictionary<string, List<string>> _blocksOf = [];
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

    private ConvergeMatcher(LevelGraph graph)
    {
        _graph = graph;
        _dist = new int?[graph.Nodes.Length];
        _onWalk = new bool[graph.Nodes.Length];
        _reachable = new bool[graph.Nodes.Length];
        var pending = new Stack<int>();
        pending.Push(graph.Start);
        _reachable[graph.Start] = true;
        while (pending.TryPop(out var n))
        {
            foreach (var t in graph.Targets[n])
            {
                if (!_reachable[t])
                {
                    _reachable[t] = true;
                    pending.Push(t);
                }
            }
        }
    }

    public static Dictionary<string, string> Match(LevelGraph graph) =>
        graph.Pipeline.Gateways.Count == 0 ? [] : new ConvergeMatcher(graph).Run();

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
            if (_blocksOf.ContainsKey(g.Node.Id))
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

    /// <summary>
    /// The longest path (in flows) from the start event to a node, found by walking incoming flows and ignoring nodes
    /// already on the walk, with found distances kept (validation.md §4 step 2). The walk keeps its own stack: a
    /// gateway after a 200,000-activity chain is that many steps from the start.
    /// </summary>
    private int? Dist(string id) => Dist(_graph.IndexOf(id));

    private int? Dist(int target)
    {
        var frames = new List<(int Node, int Next, int? Best)>();
        if (Begin(target, frames, out var value))
        {
            return value;
        }

        int? last = null;
        var childDone = false;
        while (frames.Count > 0)
        {
            var (node, next, best) = frames[^1];
            if (childDone && last is { } childDist && (best is null || childDist + 1 > best))
            {
                best = childDist + 1;
            }

            childDone = false;
            var sources = _graph.Sources[node];
            while (next < sources.Length && _onWalk[sources[next]])
            {
                next++;
            }

            if (next < sources.Length)
            {
                frames[^1] = (node, next + 1, best);
                if (Begin(sources[next], frames, out last))
                {
                    childDone = true;
                }

                continue;
            }

            _onWalk[node] = false;
            if (best is not null)
            {
                _dist[node] = best;
            }

            frames.RemoveAt(frames.Count - 1);
            last = best;
            childDone = true;
        }

        return last;
    }

    /// <summary>Starts walking from a node; true with its distance when that needs no walk.</summary>
    private bool Begin(int node, List<(int Node, int Next, int? Best)> frames, out int? dist)
    {
        dist = _dist[node];
        if (dist is not null)
        {
            return true;
        }

        if (node == _graph.Start)
        {
            dist = _dist[node] = 0;
            return true;
        }

        if (!_reachable[node])
        {
            // No path leads back to the start, so the walk would find none (and could take exponential time doing so).
            return true;
        }

        _onWalk[node] = true;
        frames.Add((node, 0, null));
        return false;
    }

    private void AddToBlock(HashSet<string> block, string nodeId)
    {
        if (block.Add(nodeId))
        {
            (_blocksOf.TryGetValue(nodeId, out var blocks) ? blocks : _blocksOf[nodeId] = []).Add(_currentBlock);
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

        if (_stack.Count >= PipelineLimits.MaxGatewayNesting)
        {
            throw new ConvergeMatchException(cur.Node.Id,
                $"gateways are nested, or chained without converging, more than {PipelineLimits.MaxGatewayNesting} deep (PipelineLimits.MaxGatewayNesting)");
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

            if (_blocksOf.TryGetValue(t, out var blocksOfTarget) && blocksOfTarget.Exists(b => b != _currentBlock))
            {
                cur.Targets[i] = null;
                continue;
            }

            AddToBlock(block, t);
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
        AddToBlock(block, cur.Node.Id);
        return (convergeId, sharedResult);
    }

    private bool CanShare(Gw cur, string converge) =>
        !cur.IsParallel || !_claimers.GetValueOrDefault(converge, []).Any(c => c != cur && c.IsParallel);
}
