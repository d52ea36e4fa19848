namespace Actors.Entities;

/// <summary>
/// Snapshot saves in flight for one entity type on this node, at most <c>max-snapshots-in-flight</c>.
/// Keys written at the same pace reach <c>snapshot-every</c> together: 10,000 keys under uniform
/// load asked for 10,000 saves within a second, which took every database connection, timed out
/// and opened the snapshot store's breaker on three nodes. A save that finds no slot waits for
/// the entity's next write, so a burst becomes a bounded stream and the keys' snapshots drift
/// apart. Also thins the log of failed saves to one line per interval with a count. Shared by
/// the type's entities; pure apart from being thread-safe (times are passed in).
/// </summary>
public sealed class SnapshotSlots(int max, TimeSpan logInterval)
{
    private readonly Lock _log = new();
    private int _taken;
    private long _loggedAtMs = long.MinValue;
    private int _unlogged;

    public int InFlight => Volatile.Read(ref _taken);

    /// <summary>
    /// After how many events an entity that just started saves its first snapshot: uniform
    /// between (1 - <paramref name="spread"/>) x <paramref name="every"/> (at least 1) and
    /// <paramref name="every"/>, so keys created together do not reach every later snapshot in
    /// the same second. Never above <paramref name="every"/>: recovery still replays at most that many.
    /// </summary>
    public static int FirstDue(int every, double spread, Random random) =>
        random.Next(Math.Max(1, (int)Math.Ceiling(every * (1 - spread))), every + 1);

    /// <summary>Takes a slot for one save; false when <c>max</c> are in flight (try again after the next write).</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _taken) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _taken);
        return false;
    }

    /// <summary>The save was answered (stored or failed), or its entity stopped before it was.</summary>
    public void Release() => Interlocked.Decrement(ref _taken);

    /// <summary>
    /// A save failed: whether to log it (the first one per interval), and how many failed since
    /// the last line.
    /// </summary>
    public (bool Log, int Since) Failed(long nowMs)
    {
        lock (_log)
        {
            _unlogged++;
            if (_loggedAtMs != long.MinValue && nowMs - _loggedAtMs < logInterval.TotalMilliseconds)
            {
                return (false, 0);
            }

            var since = _unlogged;
            (_loggedAtMs, _unlogged) = (nowMs, 0);
            return (true, since);
        }
    }
}
