namespace Actors.Telemetry;

/// <summary>
/// Request latencies of the last minute in one-second slots of log-scaled buckets (about 9%
/// wide), enough for a p99 over any recent interval without keeping samples. Owned by one actor.
/// </summary>
public sealed class LatencyWindow
{
    private const int Buckets = 256;
    private const double Step = 1.09;
    private static readonly double LogStep = Math.Log(Step);

    // One count per bucket per second: the same window the gateway counts errors in.
    private readonly CountWindow _counts = new(Buckets);

    public void Record(double milliseconds, long nowMs) => _counts.Add(Bucket(milliseconds), nowMs);

    /// <summary>Count and percentile (in ms) over the last <paramref name="seconds"/> whole seconds and the current one.</summary>
    public (long Count, double Percentile) Over(int seconds, double percentile, long nowMs)
    {
        var merged = _counts.Over(seconds, nowMs);
        var total = merged.Sum();
        if (total == 0)
        {
            return (0, 0);
        }

        var rank = (long)Math.Ceiling(total * percentile / 100.0);
        long seen = 0;
        for (var b = 0; b < Buckets; b++)
        {
            seen += merged[b];
            if (seen >= rank)
            {
                return (total, UpperBound(b));
            }
        }

        return (total, UpperBound(Buckets - 1));
    }

    // Bucket 0 holds everything under 0.01 ms; bucket b the values up to 0.01 * Step^b ms.
    private static int Bucket(double ms) =>
        ms <= 0.01 ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(Math.Log(ms / 0.01) / LogStep));

    private static double UpperBound(int bucket) => 0.01 * Math.Pow(Step, bucket);
}
