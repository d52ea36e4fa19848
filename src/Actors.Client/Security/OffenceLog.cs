using Akka.Actor;
using Akka.Event;

namespace Actors.Security;

/// <summary>
/// Logs refused input so that the log stays readable under attack: the first offence of a kind
/// from a source is logged at once, later ones within <c>actors.log.offence-interval</c> are
/// only counted, and the next line after the interval says how many there were. No stack
/// traces: these refusals are expected. Safe to call from any thread.
/// </summary>
public sealed class OffenceLog(ILoggingAdapter log, TimeSpan interval)
{
    // Sources tracked at most; beyond it the table starts afresh, so a flood of forged
    // addresses cannot grow it (it costs at most one more line per kind).
    private const int MaxTracked = 1024;
    private readonly Dictionary<(string Kind, string Source), Window> _windows = new();
    private readonly Lock _gate = new();
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;

    public void Report(string kind, IActorRef? sender) =>
        Report(kind, sender is null || sender.IsNobody() ? "unknown" : sender.Path.Address.ToString());

    public void Report(string kind, string source)
    {
        var now = Environment.TickCount64;
        int suppressed;
        lock (_gate)
        {
            if (_windows.TryGetValue((kind, source), out var window) && now - window.Opened < _intervalMs)
            {
                window.Suppressed++;
                return;
            }

            if (_windows.Count >= MaxTracked)
            {
                _windows.Clear();
            }

            suppressed = window?.Suppressed ?? 0;
            _windows[(kind, source)] = new Window { Opened = now };
        }

        if (suppressed > 0)
        {
            log.Warning("Refused {0} from {1} ({2} more since the last line about it)", kind, source, suppressed);
        }
        else
        {
            log.Warning("Refused {0} from {1} (further ones are counted and logged at most once per {2})", kind, source,
                TimeSpan.FromMilliseconds(_intervalMs));
        }
    }

    private sealed class Window
    {
        public long Opened { get; init; }
        public int Suppressed { get; set; }
    }
}
