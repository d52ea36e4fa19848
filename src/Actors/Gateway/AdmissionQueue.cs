using Actors.Protocol;

namespace Actors.Gateway;

/// <summary>A request over its route's limit, waiting for a slot.</summary>
/// <param name="Within">How long its caller still waited when it arrived.</param>
/// <param name="QueuedAt">Environment.TickCount64 when it began to wait.</param>
internal sealed record Queued(IRequest Request, Waiter Waiter, TimeSpan Within, string? TraceParent, Route Route, long QueuedAt)
{
    /// <summary>What its caller still waits now.</summary>
    public TimeSpan WithinAt(long now) => Within - TimeSpan.FromMilliseconds(now - QueuedAt);
}

/// <summary>
/// Requests over their route's limit wait here, first come first served, for at most
/// <c>actors.admission.queue-wait</c>; each slot that frees takes the oldest. A request that the
/// route's recent pace (its limit per mean latency) could not reach within that time is not
/// queued at all but refused at once, as are all when the wait is 0 or the route is in a surge
/// (<see cref="AdmissionLimit.Surging"/>: arrivals fill every slot that frees, so a wait would
/// only add to an admitted request's latency; under the flood spec's load the admitted requests'
/// p50 fell from 31-36 ms to 22-24 ms, served as much; BENCHMARKS.md). So a caller slightly over
/// capacity waits a few milliseconds instead of a retry round trip, the route is never idle while
/// callers back off, and a flood still meets prompt refusals (Netflix concurrency-limits'
/// blocking limiter with a timeout). Plain logic: the gateway admits what it releases.
/// </summary>
internal sealed class AdmissionQueue(TimeSpan maxWait)
{
    private readonly double _maxWaitMs = maxWait.TotalMilliseconds;
    private readonly Dictionary<Route, Queue<Queued>> _byRoute = new(ReferenceEqualityComparer.Instance);

    /// <summary>Requests waiting, over all routes.</summary>
    public int Count { get; private set; }

    public TimeSpan MaxWait => maxWait;

    /// <summary>Queues <paramref name="queued"/> when its route would reach it in time; false: refuse it now.</summary>
    public bool TryQueue(Queued queued)
    {
        var limit = queued.Route.Limit;
        if (_maxWaitMs <= 0 || queued.Within <= maxWait || limit.Surging(queued.QueuedAt))
        {
            return false;
        }

        var queue = _byRoute.TryGetValue(queued.Route, out var existing) ? existing : _byRoute[queued.Route] = new Queue<Queued>();
        // Little's law: slots free at about limit / mean latency per ms; before any measure, one window's worth.
        var perSlotMs = limit.LastMeanMs > 0 ? limit.LastMeanMs / Math.Max(1, limit.Current) : _maxWaitMs / Math.Max(1, limit.Current);
        if ((queue.Count + 1) * perSlotMs > _maxWaitMs)
        {
            return false;
        }

        queue.Enqueue(queued);
        Count++;
        limit.Demanded();
        return true;
    }

    /// <summary>The oldest request of <paramref name="route"/> while <paramref name="admits"/> says a slot is free; none waits past the wait.</summary>
    public Queued? Next(Route route, bool admits, long now, List<Queued> expired)
    {
        if (!_byRoute.TryGetValue(route, out var queue))
        {
            return null;
        }

        while (queue.TryPeek(out var oldest) && now - oldest.QueuedAt > _maxWaitMs)
        {
            expired.Add(Take(queue));
        }

        return admits && queue.Count > 0 ? Take(queue) : null;
    }

    /// <summary>Requests that waited past the wait on any route (the gateway's timer: a route no reply frees).</summary>
    public List<Queued> Expire(long now)
    {
        var expired = new List<Queued>();
        foreach (var queue in _byRoute.Values)
        {
            while (queue.TryPeek(out var oldest) && now - oldest.QueuedAt > _maxWaitMs)
            {
                expired.Add(Take(queue));
            }
        }

        return expired;
    }

    /// <summary>Every request waiting (the node leaves or the gateway stops): each is answered by the caller.</summary>
    public List<Queued> Clear()
    {
        var all = _byRoute.Values.SelectMany(q => q).ToList();
        _byRoute.Clear();
        Count = 0;
        return all;
    }

    private Queued Take(Queue<Queued> queue)
    {
        Count--;
        return queue.Dequeue();
    }
}
