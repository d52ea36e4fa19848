using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// Who waits to hear that the gateway has drained before the node leaves, and until when at most:
/// answered <see cref="Drained"/> once nothing is in flight or the time is up.
/// </summary>
internal sealed class DrainWait
{
    private (IActorRef ReplyTo, long Until)? _waiter;

    public void Start(IActorRef replyTo, TimeSpan within, long now) =>
        _waiter = (replyTo, now + (long)within.TotalMilliseconds);

    /// <summary>Answers the waiter if <paramref name="live"/> requests no longer hold it up.</summary>
    public void Check(int live, long now)
    {
        if (_waiter is not { } waiter || (live > 0 && now < waiter.Until))
        {
            return;
        }

        waiter.ReplyTo.Tell(new Drained(live));
        _waiter = null;
    }
}
