namespace Actors.Telemetry;

/// <summary>
/// Counts by kind over the last minute in one-second slots, without keeping events: error answers
/// by code, or latencies by bucket (<see cref="LatencyWindow"/>). Owned by one actor; times are passed in.
/// </summary>
public sealed class CountWindow(int kinds)
{
    private const int Slots = 60;

    private readonly long[,] _counts = new long[Slots, kinds];
    private readonly long[] _slotSecond = new long[Slots];

    public void Add(int kind, long nowMs)
    {
        var second = nowMs / 1000;
        var slot = (int)(second % Slots);
        if (_slotSecond[slot] != second)
        {
            for (var k = 0; k < kinds; k++)
            {
                _counts[slot, k] = 0;
            }

            _slotSecond[slot] = second;
        }

        _counts[slot, kind]++;
    }

    /// <summary>Each kind's count over the last <paramref name="seconds"/> whole seconds and the current one.</summary>
    public long[] Over(int seconds, long nowMs)
    {
        var totals = new long[kinds];
        var now = nowMs / 1000;
        for (var slot = 0; slot < Slots; slot++)
        {
            if (now - _slotSecond[slot] > Math.Clamp(seconds, 1, Slots - 1))
            {
                continue;
            }

            for (var k = 0; k < kinds; k++)
            {
                totals[k] += _counts[slot, k];
            }
        }

        return totals;
    }
}
