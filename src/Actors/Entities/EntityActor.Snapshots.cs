using Akka.Event;
using Akka.Persistence;

namespace Actors.Entities;

/// <summary>
/// An entity's journal beyond its writes: a snapshot every <c>snapshot-every</c> events (the
/// first after <see cref="SnapshotSlots.FirstDue"/>; each when one of the type's
/// <see cref="SnapshotSlots"/> is free, otherwise after the next write), older
/// snapshots deleted once a newer one is saved, and with <c>retention = since-snapshot</c> the
/// events it covers too (each failure here only makes recovery replay more; no write waits on
/// it).
/// </summary>
public sealed partial class EntityActor<TState, TCommand, TEvent>
{
    // Each of this entity's saves holds one of the type's slots until it is answered or the entity stops.
    private int _snapshotSlots;

    // Events after which the next snapshot is due: spread for the first one (SnapshotSlots.FirstDue), then snapshot-every.
    private int _snapshotDue;

    private bool HandleSnapshots(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess ok:
                ReleaseSnapshotSlot();
                DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1));
                if (_settings.DeleteCoveredEvents)
                {
                    // The snapshot holds the state and the window of request ids: the events it covers are history only.
                    DeleteEventsTo(ok.Metadata.SequenceNr);
                }

                return true;
            case SaveSnapshotFailure failed:
                ReleaseSnapshotSlot();
                // Saves fail together (a database away): one line per interval, with how many.
                if (_snapshots.Failed(Environment.TickCount64) is (true, var since))
                {
                    Log.Warning("Snapshot of {0} at {1} failed ({2} snapshot saves and deletes of this type failed since the last line about it): {3}; " +
                        "recovery replays more events until the next one", PersistenceId, failed.Metadata.SequenceNr, since,
                        failed.Cause.GetBaseException().Message);
                }

                return true;
            case DeleteSnapshotsFailure failed:
                if (_snapshots.Failed(Environment.TickCount64) is (true, var failures))
                {
                    Log.Warning("Deleting old snapshots of {0} failed ({1} snapshot saves and deletes of this type failed since the last line about it): {2}",
                        PersistenceId, failures, failed.Cause.GetBaseException().Message);
                }

                return true;
            case DeleteMessagesFailure failed:
                Log.Warning(failed.Cause, "Deleting the events of {0} up to {1} failed; they are deleted with the next snapshot's",
                    PersistenceId, failed.ToSequenceNr);
                return true;
            case DeleteSnapshotsSuccess or DeleteMessagesSuccess:
                return true;
            default:
                return false;
        }
    }

    /// <summary>After a write is stored: a snapshot of <paramref name="state"/> (as of that write's last event) when one is due.</summary>
    private void SnapshotIfDue(TState state)
    {
        // Per type no more saves at once than its slots: a due snapshot that finds none is tried
        // again after the next write.
        if (_eventsSinceSnapshot < _snapshotDue || !_snapshots.TryTake())
        {
            return;
        }

        _snapshotSlots++;
        _eventsSinceSnapshot = 0;
        _snapshotDue = _settings.SnapshotEvery;
        try
        {
            SaveSnapshotOf(new EntitySnapshot(Serialization.JournalSerializer.ManifestOf(typeof(TState)),
                Serialization.JournalSerializer.ToElement(state), _requests.Packed(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
        }
        catch (Exception e)
        {
            // Only recovery gets slower; the writes behind this one must still go.
            ReleaseSnapshotSlot();
            Log.Warning(e, "Snapshot of {0} could not be made; recovery replays more events until the next one", PersistenceId);
        }
    }

    private void ReleaseSnapshotSlot()
    {
        if (_snapshotSlots > 0)
        {
            _snapshotSlots--;
            _snapshots.Release();
        }
    }

    // Stopped with saves unanswered: their answers go to dead letters, so the slots are freed here.
    private void ReleaseSnapshotSlots()
    {
        while (_snapshotSlots > 0)
        {
            ReleaseSnapshotSlot();
        }
    }
}
