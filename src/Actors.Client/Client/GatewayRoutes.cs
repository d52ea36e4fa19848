using System.Collections.Concurrent;
using Actors.Protocol;

namespace Actors.Client;

/// <summary>
/// Which of the live gateway endpoints carries a request. A keyed request goes to the endpoint of
/// the member hosting its key's shard, when the nodes told where that is and that endpoint is
/// live: no hop between members. Any other goes by rendezvous hashing of its request id over the
/// endpoints' addresses. Either way every member's gateway takes a share of one client's load
/// (each admits against its own limit), the copies of a retried request meet the same gateway
/// (whose in-flight table answers both with one result) while the set holds, and when an endpoint
/// comes or goes only what it carried moves. Immutable: the link hands a new one to the requesters
/// on each change.
/// </summary>
internal sealed class GatewayRoutes<TRef>
    where TRef : class
{
    // The command interfaces each request type implements, by full name (read once per type).
    private static readonly ConcurrentDictionary<Type, string[]> Interfaces = new();

    private readonly (TRef Ref, uint Hash)[] _gateways;
    private readonly Dictionary<string, TRef> _byName;
    private readonly IReadOnlyDictionary<string, string?[]> _homes;

    /// <param name="gateways">Each endpoint with a stable name (its address), from which its hash comes.</param>
    /// <param name="homes">Per command interface (full name), the name of the endpoint hosting each shard (null: not known).</param>
    public GatewayRoutes(IEnumerable<(TRef Ref, string Name)> gateways, IReadOnlyDictionary<string, string?[]>? homes = null)
    {
        var all = gateways.ToList();
        _gateways = all.Select(g => (g.Ref, Fnv(g.Name))).OrderBy(g => g.Item2).ToArray();
        _byName = all.ToDictionary(g => g.Name, g => g.Ref);
        _homes = homes ?? new Dictionary<string, string?[]>();
    }

    public static GatewayRoutes<TRef> None { get; } = new([]);

    public int Count => _gateways.Length;

    /// <summary>The gateway for this request: its key's home when known and live, else by its id; null when none is live.</summary>
    public TRef? For(IRequest request)
    {
        if (_homes.Count > 0 && request is IKeyedRequest { Key: { } key } && HomesOf(request.GetType()) is { Length: > 0 } homes
            && KeyShard.Of(key, homes.Length) is var shard and >= 0 && homes[shard] is { } name
            && _byName.TryGetValue(name, out var home))
        {
            return home;
        }

        return For(request.RequestId ?? "");
    }

    private string?[]? HomesOf(Type type)
    {
        foreach (var name in Interfaces.GetOrAdd(type, t => t.GetInterfaces().Select(i => i.FullName ?? i.Name).ToArray()))
        {
            if (_homes.TryGetValue(name, out var homes))
            {
                return homes;
            }
        }

        return null;
    }

    /// <summary>The gateway for this id; null when none is live.</summary>
    public TRef? For(string id)
    {
        switch (_gateways.Length)
        {
            case 0:
                return null;
            case 1:
                return _gateways[0].Ref;
        }

        var key = Fnv(id);
        var best = 0;
        var bestScore = 0ul;
        for (var i = 0; i < _gateways.Length; i++)
        {
            var score = Mix(((ulong)key << 32) | _gateways[i].Hash);
            if (score > bestScore)
            {
                (best, bestScore) = (i, score);
            }
        }

        return _gateways[best].Ref;
    }

    // FNV-1a: the same in every process (string.GetHashCode is randomized per process), so specs can state shares.
    private static uint Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    // SplitMix64's finalizer: every input bit moves every output bit, so scores for one id are independent per gateway.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
        return z ^ (z >> 31);
    }
}
