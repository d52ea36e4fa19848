using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Actors.Entities;

/// <summary>
/// The mailbox every entity gets (<c>akka.actor.entity-mailbox</c> in node.conf): a
/// <see cref="CompactMessageQueue"/>, which meets the stash's deque requirement.
/// </summary>
public sealed class EntityMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<CompactMessageQueue>
{
    /// <summary>The config path an entity's props name.</summary>
    public const string Id = "akka.actor.entity-mailbox";

    /// <inheritdoc />
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactMessageQueue();
}

/// <summary>
/// An unbounded double-ended message queue that costs ~130 bytes while it holds a message or two,
/// as an idle entity's does. Akka's default (a <c>ConcurrentQueue</c> behind a deque wrapper)
/// allocates a 32-slot segment up front: ~1.1 KB of a live entity's ~5 KB, which each young
/// collection then copies for every entity made since the last (the flood's GC pauses,
/// BENCHMARKS.md). An entity's queue sees a few writers at a time, so one lock costs no more
/// than the concurrent queue's atomics.
/// </summary>
public sealed class CompactMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private const int FirstCapacity = 4;

    // Past this many empty slots an emptied queue gives its array back, as a concurrent queue
    // drops its segments: one burst must not pin a large array to an entity for its life.
    private const int KeptCapacity = 64;

    // Senders and the owning actor's thread use the ring under a lock on the queue itself: a
    // private lock object would add an allocation to every entity, and nothing else ever locks
    // a queue (the type is sealed; Akka only calls its members).
    private Envelope[] _ring = [];
    private int _head;
    private int _count;

    // Messages put back in front by unstashing: the owning actor's thread only, as in Akka's own
    // deque wrapper.
    private Stack<Envelope>? _front;

    /// <inheritdoc />
    public bool HasMessages => Volatile.Read(ref _count) > 0 || _front is { Count: > 0 };

    /// <inheritdoc />
    public int Count => Volatile.Read(ref _count) + (_front?.Count ?? 0);

    /// <inheritdoc />
    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (this)
        {
            if (_count == _ring.Length)
            {
                Grow();
            }

            _ring[(_head + _count) % _ring.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <inheritdoc />
    public bool TryDequeue(out Envelope envelope)
    {
        if (_front is { Count: > 0 })
        {
            envelope = _front.Pop();
            return true;
        }

        lock (this)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }

            envelope = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % _ring.Length;
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0 && _ring.Length > KeptCapacity)
            {
                _ring = [];
                _head = 0;
            }

            return true;
        }
    }

    /// <summary>Puts a message in front of every other (unstashing); the owning actor's thread only.</summary>
    public void EnqueueFirst(Envelope envelope) => (_front ??= new Stack<Envelope>()).Push(envelope);

    /// <inheritdoc />
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }

    private void Grow()
    {
        var grown = new Envelope[Math.Max(FirstCapacity, _ring.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = grown;
        _head = 0;
    }
}
