using Actors.Protocol;

namespace Actors.Gateway;

/// <summary>Requests waiting for a slot of their route (<see cref="AdmissionQueue"/>): released as slots free, refused past the wait.</summary>
public sealed partial class GatewayActor
{
    /// <summary>A slot of <paramref name="route"/> may have freed: the oldest requests waiting for one take it.</summary>
    private void ReleaseWaiting(Route route)
    {
        if (_admission.Queue.Count == 0)
        {
            return;
        }

        var now = Environment.TickCount64;
        var expired = new List<Queued>();
        while (_admission.Queue.Next(route, _inFlight.Admits(route, now), now, expired) is { } next)
        {
            Readmit(next, now);
        }

        expired.ForEach(RefuseWaiting);
    }

    // Decided afresh: admitted now that a slot is free, or refused (the node began to leave, the caller's time ran out).
    private void Readmit(Queued queued, long now) => Admit(queued.Request, queued.Waiter, queued.WithinAt(now), queued.TraceParent);

    private void ExpireWaiting()
    {
        _admission.Queue.Expire(Environment.TickCount64).ForEach(RefuseWaiting);
        if (_admission.Queue.Count > 0)
        {
            Timers.StartSingleTimer(nameof(ExpireQueued), ExpireQueued.Instance, _admission.Queue.MaxWait);
        }
    }

    private void RefuseWaiting(Queued queued)
    {
        var now = Environment.TickCount64;
        _counts.Refused(queued.Request.GetType(), ErrorCode.Overloaded, now);
        Answer(queued.Waiter, _admission.WaitedTooLong(queued, now));
    }
}
