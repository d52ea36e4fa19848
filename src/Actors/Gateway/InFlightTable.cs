using Actors.Protocol;

namespace Actors.Gateway;

/// <summary>
/// The gateway's requests in flight: who waits for each, its route's counts, deadlines and the
/// overdue slots, and the cluster membership as far as it bears on them. A plain class: only the
/// gateway actor touches it, and its specs drive it without an ActorSystem.
/// </summary>
/// <remarks>
/// A request for an entity admitted before the membership changed (a member unreachable or
/// removed), or while it settles (a removed member's shards are re-homed after the downing
/// provider's removal margin), is <b>parked</b>: it waits on the cluster, not on this node's
/// capacity. It holds a slot of its route's hard maximum only, and its latency is not a sample
/// for the adaptive limit, so a dead member's backlog neither refuses requests for live keys nor
/// cuts the limit that its keys then recover through.
/// </remarks>
internal sealed class InFlightTable(TimeSpan requestDeadline, TimeSpan settleAfterRemoval)
{
    private readonly Dictionary<string, InFlight> _live = new(StringComparer.Ordinal);

    // Answered Timeout but possibly still running: they keep a slot of their route's hard maximum
    // until their late reply comes (or ten deadlines pass), so a hung handler cannot make the node
    // admit more work than it bounds.
    private readonly Dictionary<string, (Route Route, Guid Token, long Expired)> _overdue = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unreachable = [];
    private long _settledAt = long.MinValue;

    /// <summary>Counts members becoming unreachable or removed: a request sent in an earlier epoch may have been lost.</summary>
    public long Epoch { get; private set; }

    /// <summary>Requests waiting for an answer here.</summary>
    public int Live => _live.Count;

    /// <summary>Live plus overdue: what the node-wide bound counts.</summary>
    public int Count => _live.Count + _overdue.Count;

    public bool IsOverdue(string id) => _overdue.ContainsKey(id);

    /// <summary>While a member is unreachable, or its shards are being re-homed after its removal.</summary>
    public bool Unsettled(long now) => _unreachable.Count > 0 || now < _settledAt;

    /// <summary>Whether <paramref name="route"/> takes one more request now: its hard maximum, and its adaptive limit unless the request would be parked.</summary>
    public bool Admits(Route route, long now) =>
        route.InFlight < route.Limit.Max &&
        ((route.ResendRetries && Unsettled(now)) || route.Limit.Admits(route.Working));

    public bool TryGet(string id, out InFlight entry) => _live.TryGetValue(id, out entry!);

    /// <summary>Adds a new request; false when its id is in flight here already (or overdue, for a write that may be running).</summary>
    public bool TryAdd(Route route, RoutedRequest routed, Waiter waiter, TimeSpan within, long now)
    {
        var id = routed.Request.RequestId;
        if ((_overdue.ContainsKey(id) && routed.Request is not IIdempotentRequest) || _live.ContainsKey(id))
        {
            return false;
        }

        var entry = new InFlight(waiter, route, now, routed) { Epoch = Epoch, SentAt = now, Within = within };
        _live.Add(id, entry);
        route.InFlight++;
        if (route.ResendRetries && Unsettled(now))
        {
            Park(entry);
        }

        route.Limit.Admitted(route.Working);
        return true;
    }

    /// <summary>Whether a joined retry should be sent again: a member became unreachable or left since, or it has been out long.</summary>
    public bool ShouldResend(InFlight entry, long now, long resendAfterMs) =>
        entry.Route.ResendRetries && (entry.Epoch != Epoch || now - entry.SentAt >= resendAfterMs);

    /// <summary>Marks an entry as sent again now.</summary>
    public void Resent(InFlight entry, long now)
    {
        entry.Epoch = Epoch;
        entry.SentAt = now;
    }

    /// <summary>
    /// The reply for <paramref name="id"/> with <paramref name="token"/>: the entry it answers,
    /// removed, or null (answered already: an overdue one gives its slot back; or a copy's second
    /// answer, or a forgery).
    /// </summary>
    public InFlight? Complete(string id, Guid token, long now)
    {
        if (!_live.TryGetValue(id, out var entry) || entry.Routed.Token != token)
        {
            if (_overdue.TryGetValue(id, out var overdue) && overdue.Token == token)
            {
                _overdue.Remove(id);
                overdue.Route.InFlight--;
                overdue.Route.Overdue--;
            }

            return null;
        }

        Remove(id, entry);
        if (!entry.Parked)
        {
            entry.Route.Limit.Completed(now - entry.Started, now);
        }

        return entry;
    }

    /// <summary>A notice that the request never reached its destination: the entry, removed, if the token matches.</summary>
    public InFlight? Undelivered(string id, Guid token)
    {
        if (!_live.TryGetValue(id, out var entry) || entry.Routed.Token != token)
        {
            return null;
        }

        Remove(id, entry);
        return entry;
    }

    /// <summary>
    /// Requests past their deadline (UTC, as lanes and entities read it), moved to the overdue
    /// slots; overdue ones without a reply for ten deadlines are taken as lost and give their slot back.
    /// </summary>
    public List<InFlight> Expire(DateTime utcNow, long now)
    {
        var tenDeadlines = 10 * (long)requestDeadline.TotalMilliseconds;
        foreach (var (id, (route, _, expired)) in _overdue.Where(o => now - o.Value.Expired > tenDeadlines).ToList())
        {
            _overdue.Remove(id);
            route.InFlight--;
            route.Overdue--;
        }

        var due = _live.Values.Where(e => e.Routed.Deadline <= utcNow).ToList();
        foreach (var entry in due)
        {
            _live.Remove(entry.Id);
            _overdue[entry.Id] = (entry.Route, entry.Routed.Token, now);
            entry.Route.Overdue++;
            if (entry.Parked)
            {
                entry.Route.Parked--;
            }
            else
            {
                // No reply by the deadline is the strongest sign of a queue: the limit hears it as a sample.
                entry.Route.Limit.Completed(now - entry.Started, now);
            }
        }

        return due;
    }

    /// <param name="leaving">It is leaving gracefully (Akka marks an exiting member unreachable as it
    /// goes): its shards were handed off, so nothing waits on it; a copy sent to it may still be lost.</param>
    public void MemberUnreachable(string member, bool leaving = false)
    {
        if (leaving)
        {
            Epoch++;
        }
        else if (_unreachable.Add(member))
        {
            MembershipChanged();
        }
    }

    /// <summary>Reachable again: nothing was lost that a resend would recover, and nothing moves.</summary>
    public void MemberReachable(string member) => _unreachable.Remove(member);

    /// <param name="downed">Removed after being downed (it crashed or was cut off): its shards move
    /// only now. False after a graceful leave, whose shards were handed off before.</param>
    public void MemberRemoved(string member, long now, bool downed = true)
    {
        _unreachable.Remove(member);
        if (!downed)
        {
            Epoch++;
            return;
        }

        _settledAt = now + (long)settleAfterRemoval.TotalMilliseconds;
        MembershipChanged();
    }

    /// <summary>Entity requests sent before the last membership change, marked sent again now: the caller sends each.</summary>
    public List<InFlight> TakeSentBeforeChange(long now)
    {
        var lost = _live.Values.Where(e => e.Route.ResendRetries && e.Epoch != Epoch).ToList();
        foreach (var entry in lost)
        {
            Resent(entry, now);
        }

        return lost;
    }

    /// <summary>
    /// Entity requests out for <paramref name="resendAfterMs"/> without an answer, marked sent
    /// again now: the caller sends each. A shard region drops the messages it buffered for a shard
    /// handed off, and the client's retry may go to the shard's new home instead of here.
    /// </summary>
    public List<InFlight> TakeUnanswered(long now, long resendAfterMs)
    {
        var unanswered = _live.Values.Where(e => e.Route.ResendRetries && now - e.SentAt >= resendAfterMs).ToList();
        foreach (var entry in unanswered)
        {
            Resent(entry, now);
        }

        return unanswered;
    }

    /// <summary>Everything live (to be answered by a stopping gateway), with every route's slots given back.</summary>
    public List<InFlight> Clear()
    {
        var live = _live.Values.ToList();
        foreach (var entry in live)
        {
            Remove(entry.Id, entry);
        }

        foreach (var (route, _, _) in _overdue.Values)
        {
            route.InFlight--;
            route.Overdue--;
        }

        _overdue.Clear();
        return live;
    }

    private void MembershipChanged()
    {
        Epoch++;
        foreach (var entry in _live.Values)
        {
            if (entry.Route.ResendRetries && !entry.Parked)
            {
                Park(entry);
            }
        }
    }

    private static void Park(InFlight entry)
    {
        entry.Parked = true;
        entry.Route.Parked++;
    }

    private void Remove(string id, InFlight entry)
    {
        _live.Remove(id);
        entry.Route.InFlight--;
        if (entry.Parked)
        {
            entry.Route.Parked--;
        }
    }
}

/// <summary>Who waits for a request's answer: an asker, or an item of a batch.</summary>
internal readonly record struct Waiter(Akka.Actor.IActorRef ReplyTo, Batch? Batch = null, int Index = 0);

/// <summary>A request admitted by the gateway and not answered yet.</summary>
internal sealed class InFlight(Waiter waiter, Route route, long started, RoutedRequest routed)
{
    public Waiter Waiter { get; } = waiter;
    public Route Route { get; } = route;

    /// <summary>When it was admitted (Environment.TickCount64).</summary>
    public long Started { get; } = started;
    public RoutedRequest Routed { get; } = routed;
    public string Id => Routed.Request.RequestId;
    public Type Type => Routed.Request.GetType();

    /// <summary>The membership epoch when it was last sent.</summary>
    public long Epoch { get; set; }

    /// <summary>The gateway's span for it, when traced; ends with its answer.</summary>
    public System.Diagnostics.Activity? Span { get; set; }

    /// <summary>When it was last sent (Environment.TickCount64).</summary>
    public long SentAt { get; set; }

    /// <summary>How long it had: request-deadline, or less if its caller waits less (its deadline is in <see cref="Routed"/>).</summary>
    public TimeSpan Within { get; init; }

    /// <summary>Waiting on the cluster rather than on this node (see <see cref="InFlightTable"/>).</summary>
    public bool Parked { get; set; }

    /// <summary>Askers of retried copies, answered with the same reply.</summary>
    public List<Waiter>? Joined { get; set; }
}
