namespace Actors.Entities;

/// <summary>
/// A snapshot of an entity: its state (stored under the state's own manifest) and the writes it
/// remembers, so retries are recognised across the snapshot too: base64 of 24 bytes per write
/// (<see cref="RequestWindow.Packed"/>), compact because a hot key remembers thousands.
/// </summary>
[JournalManifest("entity.snapshot.v2")]
public sealed record EntitySnapshot(string StateManifest, System.Text.Json.JsonElement State, string Requests) : IJournaled;

/// <summary>
/// A snapshot as written before command hashes (ids only); still read, each id matching any
/// command. Older snapshots that hold the bare state still load too.
/// </summary>
[JournalManifest("entity.snapshot.v1")]
public sealed record EntitySnapshotV1(string StateManifest, System.Text.Json.JsonElement State, string[] RecentRequestIds) : IJournaled;

/// <summary>
/// Sent by the shard to stop an entity on passivation and hand-off. It queues behind the
/// messages already in the entity's mailbox (and behind its in-flight journal writes), so
/// every command that reached the entity is answered before it stops.
/// </summary>
public sealed record StopEntity
{
    public static readonly StopEntity Instance = new();
}

/// <summary>
/// A direct journal write's end, told to the entity that queued it: committed (no failure) or
/// failed. It names the entity instance that wrote it (a restarted entity keeps its ref).
/// </summary>
internal sealed record DirectWritten(object Incarnation, Exception? Failure);
