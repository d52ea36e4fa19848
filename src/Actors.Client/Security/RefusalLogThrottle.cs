using Akka.Event;

namespace Actors.Security;

/// <summary>
/// Keeps Akka's own lines about refused network input from flooding the log. Akka.Remote logs
/// every frame it cannot decode and every failed TLS handshake at Warning or Error, each with a
/// stack trace; a hostile peer can send thousands a second. The first line of each kind in an
/// interval passes; the rest are counted, and <see cref="ReportSuppressed"/> (every interval)
/// logs one line per kind with the count. Everything else passes untouched.
/// </summary>
public sealed class RefusalLogThrottle(TimeSpan interval) : LogFilterBase
{
    // What Akka.Remote says when it refuses input; the kind is the phrase.
    private static readonly string[] Kinds =
    [
        "Deserialization failed",
        "TLS handshake failed",
        "Rejected incoming connection",
        "Error caught channel",
        "Failed to deserialize",
    ];

    private readonly Dictionary<string, (long Opened, int Suppressed)> _windows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        if (content.LogLevel() < LogLevel.WarningLevel || KindOf(expandedMessage ?? content.Message?.ToString()) is not { } kind)
        {
            return LogFilterDecision.NoDecision;
        }

        var now = Environment.TickCount64;
        lock (_gate)
        {
            if (_windows.TryGetValue(kind, out var window) && now - window.Opened < _intervalMs)
            {
                _windows[kind] = window with { Suppressed = window.Suppressed + 1 };
                return LogFilterDecision.Drop;
            }

            _windows[kind] = (now, window.Suppressed);
            return LogFilterDecision.Keep;
        }
    }

    /// <summary>Logs, per kind, how many lines were held back since the last report.</summary>
    public void ReportSuppressed(ILoggingAdapter log)
    {
        List<(string Kind, int Count)> held;
        lock (_gate)
        {
            held = _windows.Where(w => w.Value.Suppressed > 0).Select(w => (w.Key, w.Value.Suppressed)).ToList();
            foreach (var (kind, _) in held)
            {
                _windows[kind] = _windows[kind] with { Suppressed = 0 };
            }
        }

        foreach (var (kind, count) in held)
        {
            // Info: a Warning naming the kind would be held back by this very filter.
            log.Info("{0} more network refusals like \"{1}\" in the last {2} (one line per kind per actors.log.offence-interval)",
                count, kind, TimeSpan.FromMilliseconds(_intervalMs));
        }
    }

    private static string? KindOf(string? message)
    {
        if (message is null)
        {
            return null;
        }

        foreach (var kind in Kinds)
        {
            if (message.Contains(kind, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        return null;
    }
}
