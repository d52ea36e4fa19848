namespace Actors.Client;

/// <summary>
/// Which of the live gateway endpoints carries a request: rendezvous hashing of the request id
/// over the endpoints' addresses. Every member's gateway takes a share of one client's load (each
/// admits against its own limit), the copies of a retried id meet the same gateway (whose in-flight
/// table answers both with one result) while the set holds, and when an endpoint comes or goes
/// only the ids it carries move. Immutable: the link hands a new one to the requesters on each change.
/// </summary>
internal sealed class GatewayRoutes<TRef>
    where TRef : class
{
    private readonly (TRef Ref, uint Hash)[] _gateways;

    /// <param name="gateways">Each endpoint with a stable name (its address), from which its hash comes.</param>
    public GatewayRoutes(IEnumerable<(TRef Ref, string Name)> gateways) =>
        _gateways = gateways.Select(g => (g.Ref, Fnv(g.Name))).OrderBy(g => g.Item2).ToArray();

    public static GatewayRoutes<TRef> None { get; } = new([]);

    public int Count => _gateways.Length;

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
