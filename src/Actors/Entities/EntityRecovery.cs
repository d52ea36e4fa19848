using Actors.Serialization;

namespace Actors.Entities;

/// <summary>
/// Rebuilds an entity from what its journal holds, in every format it ever wrote: snapshots
/// (<see cref="EntitySnapshot"/>, the older <see cref="EntitySnapshotV1"/>, or a state stored
/// as is), one row per command (<see cref="JournaledWrite"/>) or bare events. The request ids
/// found go back into the entity's window, so a retry after a restart is still recognised.
/// Plain logic: the actor hands it what it replays.
/// </summary>
/// <param name="apply">The entity handler's Apply.</param>
internal sealed class EntityRecovery<TState, TEvent>(Func<TState, TEvent, TState> apply, RequestWindow requests)
    where TState : class
    where TEvent : class
{
    // Request ids named by bare events (IRequestEvent), checked once the journal is read.
    private List<string>? _idsOnly;

    // The sequence number recovery must see next: after the snapshot offered, else 1. Events
    // deleted by retention are always covered by a snapshot; a gap means that snapshot could not
    // be read, and replaying what is left would silently give a wrong state.
    private long _next = 1;

    /// <summary>The snapshot offered covers the events up to <paramref name="sequenceNr"/>.</summary>
    public void Covered(long sequenceNr) => _next = sequenceNr + 1;

    /// <summary>The event at <paramref name="sequenceNr"/> is replayed next: throws when events before it are missing.</summary>
    public void Replaying(long sequenceNr, string persistenceId)
    {
        if (sequenceNr != _next)
        {
            throw Gap(sequenceNr, persistenceId);
        }

        _next = sequenceNr + 1;
    }

    /// <summary>Replay ended and the journal's highest sequence number is <paramref name="highest"/>: the gap at the end, if any.</summary>
    public Exception? GapAtEnd(long highest, string persistenceId) => highest >= _next ? Gap(highest + 1, persistenceId) : null;

    private InvalidOperationException Gap(long nextFound, string persistenceId) => new(
        $"events {_next} to {nextFound - 1} of {persistenceId} are not in the journal and no snapshot read covers them " +
        "(deleted by journal retention, and the snapshot that covers them could not be read): not recovered from a partial history");

    public TState FromSnapshot(object snapshot)
    {
        switch (snapshot)
        {
            case EntitySnapshot current:
                foreach (var write in RequestWindow.Unpack(current.Requests))
                {
                    requests.Add(write);
                }

                return (TState)JournalSerializer.FromElement(current.State, current.StateManifest);
            case EntitySnapshotV1 v1:
                foreach (var id in v1.RecentRequestIds ?? [])
                {
                    requests.Add(IdOnly(id));
                }

                return (TState)JournalSerializer.FromElement(v1.State, v1.StateManifest);
            default:
                return (TState)snapshot;
        }
    }

    /// <summary>One command's row: its request id remembered, its events applied.</summary>
    public TState Replay(TState state, JournaledWrite write)
    {
        requests.Add(write.Request);
        foreach (var e in write.Events)
        {
            state = apply(state, (TEvent)e.Value());
        }

        return state;
    }

    /// <summary>A bare event, as journals before one row per command hold them.</summary>
    public TState Replay(TState state, TEvent e)
    {
        if (e is IRequestEvent { RequestId: { } id })
        {
            (_idsOnly ??= []).Add(id);
        }

        return apply(state, e);
    }

    /// <summary>The journal is read: ids that bare events name but no row records (a journal written before hashes) are remembered from now.</summary>
    public void Completed()
    {
        foreach (var id in _idsOnly ?? [])
        {
            if (requests.Check(id, () => AppliedRequest.UnknownHash) == RequestSeen.New)
            {
                requests.Add(IdOnly(id));
            }
        }

        _idsOnly = null;
    }

    /// <summary>An id from a journal written before command hashes: remembered from now, matching any command.</summary>
    private static AppliedRequest IdOnly(string id) => new(id, AppliedRequest.UnknownHash, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
}
