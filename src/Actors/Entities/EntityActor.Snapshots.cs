using Akka.Event;
using Akka.Persistence;

namespace Actors.Entities;

/// <summary>
/// An entity's journal beyond its writes: a snapshot every <c>snapshot-every</c> events, older
/// snapshots deleted once a newer one is saved, and with <c>retention = since-snapshot</c> the
/// events it covers too (each failure here only makes recovery replay more; no write waits on
/// it).
/// </summary>
public sealed partial class EntityActor<TState, TCommand, TEvent>
{
    private bool HandleSnapshots(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess ok:
                DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1));
                if (_settings.DeleteCoveredEvents)
                {
                    // The snapshot holds the state and the window of request ids: the events it covers are history only.
                    DeleteMessages(ok.Metadata.SequenceNr);
                }

                return true;
            case SaveSnapshotFailure failed:
                Log.Warning(failed.Cause, "Snapshot of {0} at {1} failed; recovery replays more events until the next one",
                    PersistenceId, failed.Metadata.SequenceNr);
                return true;
            case DeleteSnapshotsFailure failed:
                Log.Warning(failed.Cause, "Deleting old snapshots of {0} failed", PersistenceId);
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
        if (_eventsSinceSnapshot < _settings.SnapshotEvery)
        {
            return;
        }

        _eventsSinceSnapshot = 0;
        try
        {
            SaveSnapshot(new EntitySnapshot(Serialization.JournalSerializer.ManifestOf(typeof(TState)),
                Serialization.JournalSerializer.ToElement(state), _requests.Packed(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
        }
        catch (Exception e)
        {
            // Only recovery gets slower; the writes behind this one must still go.
            Log.Warning(e, "Snapshot of {0} could not be made; recovery replays more events until the next one", PersistenceId);
        }
    }
}
