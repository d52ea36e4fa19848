using Akka.Event;
using Akka.Persistence;

namespace Actors.Entities;

/// <summary>
/// How an entity comes back: its latest snapshot, then the journal rows after it (a command's
/// events with its request id, remembered so a retry is answered, not applied again; or a bare
/// event), a gap at the end failing the recovery; and what a failed recovery does to the key.
/// </summary>
public sealed partial class EntityActor<TState, TCommand, TEvent>
{
    protected override bool ReceiveRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer offer:
                _state = _recovery.FromSnapshot(offer.Snapshot);
                _recovery.Covered(offer.Metadata.SequenceNr);
                return true;
            case JournaledWrite write:
                _recovery.Replaying(LastSequenceNr, PersistenceId);
                _state = _recovery.Replay(_state, write);
                _eventsSinceSnapshot += write.Events.Length;
                return true;
            case TEvent e:
                _recovery.Replaying(LastSequenceNr, PersistenceId);
                _state = _recovery.Replay(_state, e);
                _eventsSinceSnapshot++;
                return true;
            case RecoveryCompleted:
                if (_recovery.GapAtEnd(LastSequenceNr, PersistenceId) is { } gap)
                {
                    // Akka calls this outside its recovery-failure path: fail the same way by hand.
                    OnRecoveryFailure(gap);
                    Context.Stop(Self);
                    return true;
                }

                _recovery.Completed();
                _backoff.Recovered(_key);
                UseDirectJournal();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The entity stops (Akka's rule); the requests that waited for it are answered Unavailable.
    /// Its key backs off: until then the next requests are answered without another recovery.
    /// </summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var now = Environment.TickCount64;
        var (wait, failures, log) = _backoff.Failed(_key, now);
        // Once per key, and once per type: with the database down, every recovering key fails at once.
        if (log && _failures.Admit("recovery", now, out var heldBack))
        {
            Log.Warning("Recovery of {0} failed ({1} in a row): {2}; its requests are answered Unavailable for {3}, then it is tried again " +
                        "({4} more keys of {5} since the last line; at most one line per actors.log.offence-interval)",
                PersistenceId, failures, reason.GetBaseException().Message, wait, heldBack, _entityType);
        }
    }
}
