namespace Actors.Workers;

/// <summary>
/// The requests a worker has running, by run number: each with its deadline and the token that
/// cancels it there. A completion whose run is not here (given up as hung, or started by the
/// instance before a restart) is answered, not counted. Plain logic: the worker drives it.
/// </summary>
internal sealed class RunningRequests
{
    private readonly Dictionary<long, Run> _running = new();
    private long _runs;

    public int Count => _running.Count;

    /// <summary>Records a request that went asynchronous; its run number comes back with its completion.</summary>
    public long Start(DateTime deadline, CancellationTokenSource cancel, string requestId)
    {
        var run = ++_runs;
        _running[run] = new Run(deadline, cancel, requestId);
        return run;
    }

    /// <summary>The run, removed, if it is still counted here.</summary>
    public bool TryFinish(long run, out Run running) => _running.Remove(run, out running!);

    /// <summary>
    /// Runs still going <paramref name="abandonAfter"/> past their deadline, though cancelled
    /// there: hung. Removed and returned (their late answers are still sent, uncounted).
    /// </summary>
    public List<Run> TakeHung(DateTime utcNow, TimeSpan abandonAfter)
    {
        var cutoff = utcNow - abandonAfter;
        var hung = _running.Where(r => r.Value.Deadline < cutoff).ToList();
        foreach (var (run, _) in hung)
        {
            _running.Remove(run);
        }

        return hung.Select(h => h.Value).ToList();
    }

    public sealed record Run(DateTime Deadline, CancellationTokenSource Cancel, string RequestId);
}
