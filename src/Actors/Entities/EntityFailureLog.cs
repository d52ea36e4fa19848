namespace Actors.Entities;

/// <summary>
/// One entity type's lines about journal failures, kept readable while its database is down:
/// then every key of the type fails at once (measured: 2,000 lines in an 8 s outage at 1,000
/// requests outstanding, one per entity). Per kind, the first failure in an interval is logged
/// with its key and cause; later ones are only counted, and the next line says how many there
/// were. Plain logic, safe from any thread.
/// </summary>
public sealed class EntityFailureLog(TimeSpan interval)
{
    private readonly Dictionary<string, (long Opened, int HeldBack)> _kinds = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;

    /// <summary>Whether to log this failure now; if so, how many of its kind were held back since its last line.</summary>
    public bool Admit(string kind, long nowMs, out int heldBack)
    {
        lock (_gate)
        {
            if (_kinds.TryGetValue(kind, out var window) && nowMs - window.Opened < _intervalMs)
            {
                _kinds[kind] = window with { HeldBack = window.HeldBack + 1 };
                heldBack = 0;
                return false;
            }

            heldBack = window.HeldBack;
            _kinds[kind] = (nowMs, 0);
            return true;
        }
    }
}
