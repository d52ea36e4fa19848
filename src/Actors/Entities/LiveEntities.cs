using Akka.Actor;

namespace Actors.Entities;

/// <summary>
/// The live entities of one entity type on this node, least recently used last. When more than
/// the cap are live, the least recently used is told to passivate, the way
/// <c>functools.lru_cache(maxsize)</c> evicts (Akka.NET sharding itself only passivates on idle).
/// Shared by the entities of the type on this node; touched on every command.
/// </summary>
public sealed class LiveEntities(int cap)
{
    private readonly LinkedList<IActorRef> _order = new();
    private readonly Dictionary<IActorRef, LinkedListNode<IActorRef>> _nodes = new();
    private readonly Lock _lock = new();

    /// <summary>0 = no cap.</summary>
    public int Cap { get; } = cap;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count;
            }
        }
    }

    public void Started(IActorRef entity)
    {
        IActorRef? evict = null;
        lock (_lock)
        {
            if (!_nodes.ContainsKey(entity))
            {
                _nodes[entity] = _order.AddFirst(entity);
            }

            if (Cap > 0 && _nodes.Count > Cap && _order.Last is { } last && !Equals(last.Value, entity))
            {
                // Forgotten now, so one eviction is asked once; it stops on its own time.
                evict = last.Value;
                _order.RemoveLast();
                _nodes.Remove(evict);
            }
        }

        evict?.Tell(PassivateOverCap.Instance);
    }

    public void Touched(IActorRef entity)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(entity, out var node) && node != _order.First)
            {
                _order.Remove(node);
                _order.AddFirst(node);
            }
        }
    }

    public void Stopped(IActorRef entity)
    {
        lock (_lock)
        {
            if (_nodes.Remove(entity, out var node))
            {
                _order.Remove(node);
            }
        }
    }
}

/// <summary>Told to the least recently used entity when its type is over its live-entity cap.</summary>
public sealed record PassivateOverCap
{
    public static readonly PassivateOverCap Instance = new();
}
