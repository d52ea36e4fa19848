using Actors.Hosting;
using Akka.Configuration;

namespace Actors.Gateway;

/// <summary>How the per-route limits adapt (<c>actors.admission</c> in node.conf).</summary>
public sealed record LimitSettings(bool Adaptive, double Tolerance, TimeSpan LatencyFloor, TimeSpan Window, int WindowSamples,
    int InitialLimit, TimeSpan MinRetryAfter, TimeSpan MaxRetryAfter, int BaselineWindows = 100)
{
    public static LimitSettings From(Config config)
    {
        var adaptive = config.GetConfig("actors.admission.adaptive") ?? throw new ConfigurationException("actors.admission.adaptive is missing");
        var settings = new LimitSettings(
            adaptive.RequireBoolean("enabled"),
            adaptive.RequireDouble("tolerance"),
            adaptive.RequireTimeSpan("latency-floor"),
            adaptive.RequireTimeSpan("window"),
            adaptive.RequireInt("window-samples"),
            adaptive.RequireInt("initial-limit"),
            config.RequireTimeSpan("actors.admission.min-retry-after"),
            config.RequireTimeSpan("actors.admission.max-retry-after"),
            adaptive.RequireInt("baseline-windows"));
        if (settings.Tolerance < 1 || settings.Window <= TimeSpan.Zero || settings.WindowSamples < 1 || settings.InitialLimit < 1 ||
            settings.BaselineWindows < 1 ||
            settings.MinRetryAfter <= TimeSpan.Zero || settings.MaxRetryAfter < settings.MinRetryAfter)
        {
            throw new ConfigurationException(
                "actors.admission.adaptive: tolerance >= 1, window, window-samples, initial-limit and baseline-windows positive; " +
                "0 < min-retry-after <= max-retry-after");
        }

        return settings;
    }
}

/// <summary>
/// How many requests one lane or entity type admits at once, and when a refused caller should come
/// back. The limit follows measured latency, as Netflix's concurrency-limits (gradient) and
/// Envoy's adaptive concurrency do: replies are judged per window (at least <see cref="LimitSettings.Window"/>
/// and <see cref="LimitSettings.WindowSamples"/> replies); a window whose mean latency stays within
/// the target (tolerance × the no-load latency, never below the latency floor) lets the limit grow
/// if the demand reached it, one beyond it cuts the limit by target / mean (at most by half). So
/// the requests admitted wait a bounded time instead of queueing behind a full journal, and the
/// rest are refused at once. Between the floor (a lane's width: below it work would wait with
/// workers idle) and the HOCON maximum. Pure logic: the gateway calls it, times are passed in.
/// </summary>
public sealed class AdmissionLimit
{
    private readonly LimitSettings _settings;
    private readonly double _latencyFloorMs;
    private double _limit;

    // The current window.
    private long _windowStart = long.MinValue;
    private int _samples;
    private double _sumMs;
    private int _peakInFlight;
    private int _refused;

    private double _retryAfterMs;
    private readonly Queue<double> _recentMeans = new();
    private long _lastReplyAt = long.MinValue;
    private long _hintRaisedAt = long.MinValue / 2; // far past, without overflow in a subtraction
    private long _hintHeldUntil = long.MinValue;

    public AdmissionLimit(int min, int max, LimitSettings settings)
    {
        Min = Math.Max(1, Math.Min(min, max));
        Max = Math.Max(1, max);
        _settings = settings;
        _latencyFloorMs = settings.LatencyFloor.TotalMilliseconds;
        _limit = settings.Adaptive ? Math.Clamp(settings.InitialLimit, Min, Max) : Max;
        _retryAfterMs = settings.MinRetryAfter.TotalMilliseconds;
    }

    /// <summary>A fixed bound that never adapts (the status route).</summary>
    public static AdmissionLimit Fixed(int max, LimitSettings settings) => new(max, max, settings with { Adaptive = false });

    public int Min { get; }
    public int Max { get; }

    /// <summary>Requests admitted at once now.</summary>
    public int Current => (int)_limit;

    /// <summary>
    /// The latency (ms) of the fastest of the last baseline-windows windows: what a request costs
    /// without queueing now. A windowed minimum, as BBR keeps its round-trip estimate: when the
    /// work itself gets dearer (busier cores, a slower disk, members sharing a machine), the
    /// target follows within those windows instead of holding the limit to a past machine's speed.
    /// </summary>
    public double BaselineMs { get; private set; } = double.PositiveInfinity;

    /// <summary>Mean latency (ms) of the last window.</summary>
    public double LastMeanMs { get; private set; }

    /// <summary>When a refused caller should try again: grows while refusals outnumber replies, at once on a surge.</summary>
    public TimeSpan RetryAfter => TimeSpan.FromMilliseconds(_retryAfterMs);

    /// <summary>
    /// Whether the route is in a surge (refusals more than twice its replies, the hint held):
    /// arrivals then outnumber the slots that free up, so one waiting for a slot would only add
    /// its wait to an admitted request's latency, never a slot's use.
    /// </summary>
    public bool Surging(long nowMs) => nowMs < _hintHeldUntil;

    /// <summary>Whether one more request may be admitted with <paramref name="inFlight"/> already in.</summary>
    public bool Admits(int inFlight) => inFlight < (int)_limit;

    /// <summary>A request was admitted; <paramref name="inFlight"/> counts it.</summary>
    public void Admitted(int inFlight) => _peakInFlight = Math.Max(_peakInFlight, inFlight);

    /// <summary>A request waits for a slot: demand reached the limit (not a refusal).</summary>
    public void Demanded() => _peakInFlight = Math.Max(_peakInFlight, (int)_limit);

    /// <summary>A request was refused for this route's bound: demand is above the limit.</summary>
    public void Refused(long nowMs)
    {
        _refused++;
        _peakInFlight = Math.Max(_peakInFlight, (int)_limit);
        if (_lastReplyAt == long.MinValue)
        {
            _lastReplyAt = nowMs;
        }

        // Refusing while no reply came for a window and the hint (a failover, a stalled journal):
        // windows only close on replies, so the hint grows here, doubling per window, or the
        // callers told it would come back to the same refusal until their attempts ran out.
        var window = (long)_settings.Window.TotalMilliseconds;
        if (nowMs - _lastReplyAt > Math.Max(window, _retryAfterMs) && nowMs - _hintRaisedAt >= window)
        {
            _hintRaisedAt = nowMs;
            _retryAfterMs = Math.Min(_settings.MaxRetryAfter.TotalMilliseconds, _retryAfterMs * 2);
        }
    }

    /// <summary>
    /// A request admitted here was answered (or timed out) <paramref name="latencyMs"/> after admission;
    /// <paramref name="nowMs"/> is a monotonic clock (Environment.TickCount64).
    /// </summary>
    public void Completed(double latencyMs, long nowMs)
    {
        _lastReplyAt = nowMs;
        if (_windowStart == long.MinValue)
        {
            _windowStart = nowMs;
        }

        _samples++;
        _sumMs += latencyMs;
        if (_samples < _settings.WindowSamples || nowMs - _windowStart < _settings.Window.TotalMilliseconds)
        {
            return;
        }

        var mean = _sumMs / _samples;
        var replies = _samples;
        LastMeanMs = mean;
        Adjust(mean);
        AdjustRetryAfter(mean, replies, nowMs);
        _windowStart = nowMs;
        _samples = 0;
        _sumMs = 0;
        _peakInFlight = 0;
        _refused = 0;
    }

    private void Adjust(double mean)
    {
        _recentMeans.Enqueue(mean);
        if (_recentMeans.Count > _settings.BaselineWindows)
        {
            _recentMeans.Dequeue();
        }

        BaselineMs = _recentMeans.Min();
        if (!_settings.Adaptive)
        {
            return;
        }

        var target = Math.Max(_settings.Tolerance * BaselineMs, _latencyFloorMs);
        if (mean > target)
        {
            _limit = Math.Max(Min, _limit * Math.Max(0.5, target / mean));
        }
        else if (_peakInFlight >= _limit / 2)
        {
            // Demand reached the limit and latency is fine: probe upwards, faster while the limit is small.
            _limit = Math.Min(Max, _limit + Math.Max(Math.Sqrt(_limit), _limit * 0.1));
        }
    }

    /// <summary>
    /// Refused callers should come back at about the rate replies free room. Callers told a hint h
    /// and refused r times in a window that answered n are about r·h/window callers, whom replies
    /// serve in r·h/n: the hint is scaled by refusals per reply (by at most half down and double
    /// up per window), never below the mean latency, within min-retry-after and max-retry-after.
    /// A surge (more than twice as many refusals as replies: thousands of callers arriving at
    /// once) takes the whole factor at once, else callers told a few milliseconds come back again
    /// and again while the hint doubles window by window (measured, 50 callers to 5,000: ~0.7 s of
    /// such retries, admitted requests up to 260 ms; BENCHMARKS.md). That hint then holds until
    /// its callers have had the time to come back: the windows meanwhile count refusals of
    /// callers already told it, and their quiet says nothing about whether it was long enough.
    /// </summary>
    private void AdjustRetryAfter(double mean, int replies, long nowMs)
    {
        var ratio = (double)_refused / Math.Max(1, replies);
        var hint = _retryAfterMs;
        if (nowMs < _hintHeldUntil)
        {
            // Held after a surge.
        }
        else if (ratio > 2 && _retryAfterMs < _settings.MaxRetryAfter.TotalMilliseconds)
        {
            hint = Math.Min(_retryAfterMs * ratio, _settings.MaxRetryAfter.TotalMilliseconds);
            _hintHeldUntil = nowMs + (long)(1.5 * hint);
        }
        else
        {
            hint = _refused == 0 ? _retryAfterMs * 0.5 : _retryAfterMs * Math.Max(0.5, ratio);
        }

        _retryAfterMs = Math.Clamp(Math.Max(hint, mean), _settings.MinRetryAfter.TotalMilliseconds,
            _settings.MaxRetryAfter.TotalMilliseconds);
    }
}
