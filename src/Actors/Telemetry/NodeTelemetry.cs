using Actors.Entities;
using Actors.Gateway;

namespace Actors.Telemetry;

/// <summary>
/// What one node knows about itself, for its gauges, health line and status: the routes
/// (lanes, entity types) with their in-flight counts, each entity type's live entities,
/// restart and passivation totals. Written by the actors that own each figure, read by others.
/// </summary>
public sealed class NodeTelemetry
{
    private readonly List<(string Lane, Route Route, int Width)> _lanes = [];
    private readonly List<(string Type, LiveEntities Live)> _entityTypes = [];
    private int _inFlight;
    private long _restarts;

    public int InFlight => Volatile.Read(ref _inFlight);
    public long Restarts => Interlocked.Read(ref _restarts);

    internal void AddLane(string lane, Route route, int width) => _lanes.Add((lane, route, width));

    internal void AddEntityType(string type, LiveEntities live) => _entityTypes.Add((type, live));

    internal void SetInFlight(int count) => Volatile.Write(ref _inFlight, count);

    internal void Restarted(string lane)
    {
        Interlocked.Increment(ref _restarts);
        ActorsMetrics.WorkerRestarts.Add(1, new KeyValuePair<string, object?>("lane", lane));
    }

    internal void Passivated(string entityType, string reason)
    {
        ActorsMetrics.Passivations.Add(1, new KeyValuePair<string, object?>("entity_type", entityType),
            new KeyValuePair<string, object?>("reason", reason));
    }

    public IEnumerable<(string Lane, int Depth, int Width)> LaneDepths() => _lanes.Select(l => (l.Lane, l.Route.InFlight, l.Width));

    public IEnumerable<(string Type, int Count)> LiveEntities() => _entityTypes.Select(e => (e.Type, e.Live.Count));
}
