namespace Actors.Entities;

/// <summary>
/// Marker for what goes into the journal and the snapshot store: entity events and states.
/// Bound to <see cref="Serialization.JournalSerializer"/> (versioned JSON), never to Hyperion.
/// </summary>
public interface IJournaled;

/// <summary>
/// The stable name a journaled type is stored under, with its version (e.g. <c>counter.added.v1</c>).
/// Renaming or moving the class keeps old journals readable as long as this name stays; a new
/// incompatible shape gets a new name and the old class stays to read old events.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class JournalManifestAttribute(string manifest) : Attribute
{
    public string Manifest { get; } = manifest;
}

/// <summary>
/// An event that records the request id of the command that caused it. Journals written before
/// <see cref="AppliedRequest"/> existed name their writes' ids only this way: the entity still
/// remembers those ids (for a window from its recovery), matching any command.
/// </summary>
public interface IRequestEvent : IJournaled
{
    string RequestId { get; }
}

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
