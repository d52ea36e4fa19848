using Akka.Event;

namespace Actors.Gateway;

/// <summary>
/// Entity requests sent again while they wait: a copy may be lost with a member, or dropped by a
/// shard hand-off. Entities recognise a repeated request id and command, so a resend never applies
/// a change twice, and the gateway keeps the first answer (the same token) and drops the second.
/// </summary>
public sealed partial class GatewayActor
{
    /// <summary>
    /// A member was removed: requests for entities sent before may have gone down with it. Each
    /// is sent again now, instead of holding its entity type's slot until its caller's next retry
    /// or its deadline.
    /// </summary>
    private void ResendLostWithMember()
    {
        var lost = _inFlight.TakeSentBeforeChange(Environment.TickCount64);
        foreach (var entry in lost)
        {
            entry.Route.Target.Tell(entry.Routed, Self);
        }

        if (lost.Count > 0)
        {
            _log.Info("A member was removed: {0} entity requests in flight sent again", lost.Count);
        }
    }

    /// <summary>
    /// Entity requests unanswered for resend-retries-after, sent again (at most one line a sweep).
    /// A copy dropped by a hand-off would otherwise hold its slot until the deadline when the
    /// client's retry goes to the shard's new home rather than here (measured: a rolling restart
    /// left a member refusing everything for 55 s behind 20 such copies).
    /// </summary>
    private void ResendUnanswered()
    {
        var unanswered = _inFlight.TakeUnanswered(Environment.TickCount64, _resendAfterMs);
        foreach (var entry in unanswered)
        {
            entry.Route.Target.Tell(entry.Routed, Self);
        }

        if (unanswered.Count > 0)
        {
            _log.Info("{0} entity requests unanswered for {1} ms sent again", unanswered.Count, _resendAfterMs);
        }
    }
}
