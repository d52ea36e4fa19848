using System.Collections.Concurrent;

namespace Actors.Workers;

/// <summary>
/// Consecutive failures per worker of one lane, kept outside the workers because a restart
/// replaces the actor instance. A success clears a worker's count.
/// </summary>
public sealed class RestartHistory
{
    private readonly ConcurrentDictionary<string, int> _consecutiveFailures = new();

    public int Failures(string worker) => _consecutiveFailures.GetValueOrDefault(worker);

    public void Failed(string worker) => _consecutiveFailures.AddOrUpdate(worker, 1, static (_, n) => n + 1);

    public void Succeeded(string worker)
    {
        if (_consecutiveFailures.ContainsKey(worker))
        {
            _consecutiveFailures.TryRemove(worker, out _);
        }
    }

    /// <summary>
    /// No wait for the first <paramref name="after"/> failures in a row (occasional failures are
    /// not a broken handler); then min, 2 × min, … up to max.
    /// </summary>
    public static TimeSpan Backoff(int consecutiveFailures, TimeSpan min, TimeSpan max, int after = 1) =>
        consecutiveFailures <= after
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(max.Ticks, min.Ticks * (1L << Math.Min(consecutiveFailures - after - 1, 30))));
}
