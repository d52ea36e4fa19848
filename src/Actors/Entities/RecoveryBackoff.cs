using System.Collections.Concurrent;

namespace Actors.Entities;

/// <summary>
/// Keys of one entity type whose recovery failed (an event or snapshot that cannot be read, a
/// journal that refuses): for a back-off that doubles with each failure in a row, requests for
/// such a key are answered Unavailable without touching the journal, instead of every retry
/// re-running the failing recovery. Shared by the type's entities on this node; pure apart from
/// being thread-safe (times are passed in).
/// </summary>
public sealed class RecoveryBackoff(TimeSpan min, TimeSpan max, TimeSpan logInterval, int capacity)
{
    private readonly ConcurrentDictionary<string, Failure> _failed = new(StringComparer.Ordinal);

    public int Count => _failed.Count;

    /// <summary>A recovery of <paramref name="key"/> failed: how long it now backs off, and whether to log it (once per key per interval).</summary>
    public (TimeSpan Wait, int Failures, bool Log) Failed(string key, long nowMs)
    {
        if (!_failed.TryGetValue(key, out var before) && _failed.Count >= capacity)
        {
            // Too many broken keys to track each: these retry at the shortest back-off, unlogged.
            return (min, 1, false);
        }

        var failures = (before?.Failures ?? 0) + 1;
        var wait = TimeSpan.FromTicks(Math.Min(max.Ticks, min.Ticks * (1L << Math.Min(failures - 1, 30))));
        var log = before is null || nowMs - before.LoggedAtMs >= logInterval.TotalMilliseconds;
        _failed[key] = new Failure(failures, nowMs + (long)wait.TotalMilliseconds, log ? nowMs : before!.LoggedAtMs);
        return (wait, failures, log);
    }

    /// <summary>How long <paramref name="key"/> still backs off, or null to recover it now.</summary>
    public TimeSpan? Remaining(string key, long nowMs) =>
        _failed.TryGetValue(key, out var failure) && failure.UntilMs > nowMs
            ? TimeSpan.FromMilliseconds(failure.UntilMs - nowMs)
            : null;

    public int Failures(string key) => _failed.TryGetValue(key, out var failure) ? failure.Failures : 0;

    /// <summary>The key recovered: its failures are forgotten.</summary>
    public void Recovered(string key) => _failed.TryRemove(key, out _);

    private sealed record Failure(int Failures, long UntilMs, long LoggedAtMs);
}
