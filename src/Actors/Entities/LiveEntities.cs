using System.Diagnostics;
using Akka.Actor;

namespace Actors.Entities;

/// <summary>
/// The live entities of one entity type on this node and when each last handled a command.
/// Two things passivate them: idleness (a sweep every quarter of the idle timeout tells those
/// idle that long to go, as Akka.NET sharding's own idle passivation does) and the cap (when
/// more than <see cref="Cap"/> are live, the least recently used of a sample goes, the way Redis
/// approximates LRU; exact up to <see cref="Sample"/> live entities).
/// </summary>
/// <remarks>
/// A command only writes its entity's own timestamp: no lock, no timer. A receive-timeout per
/// entity and one shared LRU list cost a timer reschedule and a contended lock on every command.
/// </remarks>
public sealed class LiveEntities(int cap, TimeSpan idleTimeout)
{
    /// <summary>Entities compared to pick one to evict over the cap.</summary>
    public const int Sample = 16;

    private readonly List<Entry> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>0 = no cap.</summary>
    public int Cap { get; } = cap;

    public TimeSpan IdleTimeout { get; } = idleTimeout;

    /// <summary>How often <see cref="SweepIdle"/> should run: idle entities go within 1.25 × the idle timeout.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromTicks(Math.Clamp(IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks,
        TimeSpan.FromSeconds(30).Ticks));

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>An entity started: it counts as just used. Over the cap, one of the least recently used is told to passivate.</summary>
    public Entry Started(IActorRef entity)
    {
        var entry = new Entry(entity);
        Entry? evict = null;
        lock (_lock)
        {
            entry.Index = _entries.Count;
            _entries.Add(entry);
            if (Cap > 0 && _entries.Count > Cap)
            {
                // Forgotten now, so one eviction is asked once; it stops on its own time.
                evict = LeastRecentlyUsed(except: entry);
                Remove(evict);
            }
        }

        evict?.Entity.Tell(PassivateOverCap.Instance);
        return entry;
    }

    public void Stopped(Entry entry)
    {
        lock (_lock)
        {
            if (entry.Index >= 0)
            {
                Remove(entry);
            }
        }
    }

    /// <summary>Tells every entity idle for the idle timeout to passivate; each is told once.</summary>
    public void SweepIdle()
    {
        var oldest = Stopwatch.GetTimestamp() - (long)(IdleTimeout.TotalSeconds * Stopwatch.Frequency);
        List<Entry>? idle = null;
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                if (!entry.ToldIdle && entry.LastUsed <= oldest)
                {
                    entry.ToldIdle = true;
                    (idle ??= []).Add(entry);
                }
            }
        }

        foreach (var entry in idle ?? [])
        {
            entry.Entity.Tell(PassivateIdle.Instance);
        }
    }

    private Entry LeastRecentlyUsed(Entry except)
    {
        Entry? oldest = null;
        var count = _entries.Count;
        var exact = count <= Sample + 1;
        for (var i = 0; i < (exact ? count : Sample); i++)
        {
            var candidate = _entries[exact ? i : Random.Shared.Next(count)];
            if (!ReferenceEquals(candidate, except) && (oldest is null || candidate.LastUsed < oldest.LastUsed))
            {
                oldest = candidate;
            }
        }

        return oldest ?? _entries[0];
    }

    private void Remove(Entry entry)
    {
        // Swap with the last: O(1), order does not matter.
        var last = _entries[^1];
        _entries[entry.Index] = last;
        last.Index = entry.Index;
        _entries.RemoveAt(_entries.Count - 1);
        entry.Index = -1;
    }

    /// <summary>One live entity. Only the entity writes <see cref="LastUsed"/>; the sweep and eviction read it.</summary>
    public sealed class Entry(IActorRef entity)
    {
        private long _lastUsed = Stopwatch.GetTimestamp();

        public IActorRef Entity { get; } = entity;

        public long LastUsed => Volatile.Read(ref _lastUsed);

        private volatile bool _toldIdle;

        // Guarded by the owning LiveEntities' lock.
        internal int Index { get; set; }

        // Set by the sweep, cleared by the entity when a command came after all.
        internal bool ToldIdle
        {
            get => _toldIdle;
            set => _toldIdle = value;
        }

        public void Used() => Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());

        /// <summary>Idle at least <paramref name="timeout"/> now (a command may have come since the sweep looked).</summary>
        public bool IdleFor(TimeSpan timeout)
        {
            if (Stopwatch.GetElapsedTime(LastUsed) >= timeout)
            {
                return true;
            }

            ToldIdle = false;
            return false;
        }
    }
}

/// <summary>Told to the least recently used entity when its type is over its live-entity cap.</summary>
public sealed record PassivateOverCap
{
    public static readonly PassivateOverCap Instance = new();
}

/// <summary>Told to an entity that has handled no command for its type's idle timeout.</summary>
public sealed record PassivateIdle
{
    public static readonly PassivateIdle Instance = new();
}
