namespace Actors.Entities;

/// <summary>
/// Marker for what goes into the journal and the snapshot store: entity events and states.
/// A node binds it to its journal serializer (versioned JSON under <see cref="JournalManifestAttribute"/>), never to Hyperion.
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
/// the entity snapshot recorded applied requests name their writes' ids only this way: the entity still
/// remembers those ids (for a window from its recovery), matching any command.
/// </summary>
public interface IRequestEvent : IJournaled
{
    string RequestId { get; }
}
