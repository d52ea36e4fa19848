namespace Actors.Telemetry;

/// <summary>
/// Request latencies of the last minute in one-second slots of log-scaled buckets (about 9%
/// wide), enough for a p99 over any recent interval without keeping samples. Owned by one actor.
/// </summary>
public sealed class LatencyWindow
{
    private const int Slots = 60;
    private const int Buckets = 256;
    private const double Step = 1.09;
    private static readonly double LogStep = Math.Log(Step);

    private readonly long[,] _counts = new long[Slots, Buckets];
    private readonly long[] _slotSecond = new long[Slots];

    public void Record(double milliseconds, long nowMs)
    {
        var second = nowMs / 1000;
        var slot = (int)(second % Slots);
        if (_slotSecond[slot] != second)
        {
            for (var b = 0; b < Buckets; b++)
            {
                _counts[slot, b] = 0;
            }

            _slotSecond[slot] = second;
        }

        _counts[slot, Bucket(milliseconds)]++;
    }

    /// <summary>Count and percentile (in ms) over the last <paramref name="seconds"/> whole seconds and the current one.</summary>
    public (long Count, double Percentile) Over(int seconds, double percentile, long nowMs)
    {
        var merged = new long[Buckets];
        var now = nowMs / 1000;
        long total = 0;
        for (var slot = 0; slot < Slots; slot++)
        {
            if (now - _slotSecond[slot] > Math.Clamp(seconds, 1, Slots - 1))
            {
                continue;
            }

            for (var b = 0; b < Buckets; b++)
            {
                merged[b] += _counts[slot, b];
                total += _counts[slot, b];
            }
        }

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
