using Akka.Actor;

namespace Actors.Client;

/// <summary>
/// The link's bookkeeping of gateway endpoints (pure; times are Environment.TickCount64 values):
/// which are live and when each last answered, which said their node is leaving, and when a
/// contact that is not live is asked again. Only the link actor touches it.
/// </summary>
internal sealed class GatewaySet<TRef>(int max)
    where TRef : class
{
    private readonly Dictionary<Address, (TRef Ref, long HeardAt)> _live = new();
    private readonly Dictionary<Address, long> _avoidUntil = new();
    private readonly Dictionary<Address, (long Next, int Misses)> _asking = new();

    public int Count => _live.Count;

    public bool IsLive(Address address) => _live.ContainsKey(address);

    /// <summary>The live endpoints, named by address, for <see cref="GatewayRoutes{TRef}"/>, with where shards live.</summary>
    public GatewayRoutes<TRef> Routes(IReadOnlyDictionary<string, string?[]>? homes = null) =>
        new(_live.Select(g => (g.Value.Ref, g.Key.ToString())), homes);

    public IEnumerable<TRef> Live => _live.Values.Select(g => g.Ref);

    /// <summary>
    /// Takes an endpoint that answered. Not when it is live already or the set is full, nor one
    /// whose node said it is leaving while another is live (with none, a leaving node still serves).
    /// </summary>
    public bool Add(Address address, TRef gateway, long now)
    {
        if (_live.ContainsKey(address) || _live.Count >= max
            || (_live.Count > 0 && _avoidUntil.TryGetValue(address, out var until) && now < until))
        {
            return false;
        }

        _live[address] = (gateway, now);
        _asking.Remove(address);
        return true;
    }

    public void Heard(Address address, long now)
    {
        if (_live.TryGetValue(address, out var live))
        {
            _live[address] = live with { HeardAt = now };
        }
    }

    /// <summary>Drops an endpoint (connection lost or silent); it is asked again at the next turn.</summary>
    public bool Remove(Address address)
    {
        _asking.Remove(address);
        return _live.Remove(address);
    }

    /// <summary>Drops an endpoint whose node is leaving and keeps it out until <paramref name="until"/>.</summary>
    public void Avoid(Address address, long until)
    {
        _live.Remove(address);
        _avoidUntil[address] = until;
    }

    /// <summary>Live endpoints that have not answered for longer than <paramref name="pause"/> ms.</summary>
    public List<Address> Silent(long now, long pause) =>
        _live.Where(g => now - g.Value.HeardAt > pause).Select(g => g.Key).ToList();

    /// <summary>
    /// The contacts to ask for their gateway now. With none live: every contact not avoided (all
    /// when all are), at every turn. Otherwise the ones not live, each again after a wait that
    /// doubles with every unanswered ask up to <paramref name="maxWait"/>, so a dead contact costs
    /// little and a new member is taken within that wait.
    /// </summary>
    public List<Address> ToAsk(IReadOnlyCollection<Address> contacts, long now, long interval, long maxWait)
    {
        foreach (var expired in _avoidUntil.Where(a => a.Value <= now).Select(a => a.Key).ToList())
        {
            _avoidUntil.Remove(expired);
        }

        if (_live.Count == 0)
        {
            var open = contacts.Where(c => !_avoidUntil.ContainsKey(c)).ToList();
            return open.Count > 0 ? open : contacts.ToList();
        }

        var due = new List<Address>();
        foreach (var contact in contacts)
        {
            if (_live.ContainsKey(contact) || _avoidUntil.ContainsKey(contact) || _live.Count >= max)
            {
                continue;
            }

            var (next, misses) = _asking.GetValueOrDefault(contact);
            if (now >= next)
            {
                due.Add(contact);
                _asking[contact] = (now + Math.Min(interval << Math.Min(misses, 20), maxWait), misses + 1);
            }
        }

        return due;
    }
}
