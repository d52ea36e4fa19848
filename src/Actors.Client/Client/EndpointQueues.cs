using Actors.Protocol;

namespace Actors.Client;

/// <summary>What a requester does after <see cref="EndpointQueues{T}.Add"/>.</summary>
internal enum Gathered
{
    /// <summary>Nothing yet: more requests are gathering for this endpoint, and something will send them.</summary>
    Wait,

    /// <summary>The endpoint's queue is full (max-size): send it now.</summary>
    SendNow,

    /// <summary>The first request for an endpoint with room in its pipeline: send it soon, with whatever arrives meanwhile.</summary>
    SendSoon,

    /// <summary>The first request for an endpoint whose pipeline is full: it waits for a reply, at most the linger time.</summary>
    Linger,
}

/// <summary>
/// A requester's outgoing requests, gathered per gateway endpoint, and each endpoint's messages
/// awaiting replies. Each endpoint fills its own messages up to max-size and keeps its own
/// pipeline of <c>batch.pipeline</c>, as a client of one node does: gathered over all endpoints, a
/// full buffer went as three messages a third as large (three members: 31 items a message against
/// 35 per endpoint; one node 89; BENCHMARKS.md). Single-threaded (one actor's state).
/// </summary>
internal sealed class EndpointQueues<T>(int maxSize, int pipeline)
    where T : notnull
{
    private readonly Dictionary<T, List<IRequest>> _waiting = [];
    private readonly Dictionary<T, int> _inFlight = [];

    /// <summary>The endpoints with requests waiting.</summary>
    public IEnumerable<T> Waiting => _waiting.Where(w => w.Value.Count > 0).Select(w => w.Key);

    public int InFlight(T endpoint) => _inFlight.GetValueOrDefault(endpoint);

    public Gathered Add(T endpoint, IRequest request)
    {
        if (!_waiting.TryGetValue(endpoint, out var queue))
        {
            _waiting[endpoint] = queue = [];
        }

        queue.Add(request);
        if (queue.Count >= maxSize)
        {
            return Gathered.SendNow;
        }

        if (queue.Count > 1)
        {
            return Gathered.Wait;
        }

        return InFlight(endpoint) < pipeline ? Gathered.SendSoon : Gathered.Linger;
    }

    /// <summary>True when the endpoint has requests waiting and room in its pipeline (a reply just came).</summary>
    public bool Ready(T endpoint) => InFlight(endpoint) < pipeline && _waiting.TryGetValue(endpoint, out var queue) && queue.Count > 0;

    /// <summary>Removes and returns what waits for the endpoint (empty when nothing does).</summary>
    public List<IRequest> Take(T endpoint)
    {
        if (!_waiting.Remove(endpoint, out var queue))
        {
            return [];
        }

        return queue;
    }

    /// <summary>A message went to the endpoint and awaits its reply.</summary>
    public void Sent(T endpoint) => _inFlight[endpoint] = InFlight(endpoint) + 1;

    /// <summary>A message to the endpoint was answered (or given up on).</summary>
    public void Answered(T endpoint)
    {
        var left = InFlight(endpoint) - 1;
        if (left > 0)
        {
            _inFlight[endpoint] = left;
        }
        else
        {
            _inFlight.Remove(endpoint);
        }
    }

    public void Clear()
    {
        _waiting.Clear();
        _inFlight.Clear();
    }
}
