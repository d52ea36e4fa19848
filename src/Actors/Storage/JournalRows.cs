using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Journal.Types;
using Akka.Serialization;
using Akka.Util;

namespace Actors.Storage;

/// <summary>
/// Persistent messages as Akka.Persistence.Sql's journal rows, exactly as its own serializer makes
/// them in tag-table mode (payload bytes, manifest, serializer id, the write's time, its writer
/// uuid, tags apart), so the plugin's reads and queries read what <see cref="JournalWriter"/>
/// writes.
/// </summary>
internal sealed class JournalRows(ExtendedActorSystem system, JournalConfig config)
{
    private readonly Akka.Serialization.Serialization _serialization = system.Serialization;
    private readonly string _defaultSerializer = config.DefaultSerializer;

    // As the plugin: one uuid per journal instance, when the table has the column.
    private readonly string? _writerUuid = config.TableConfig.EventJournalTable.UseWriterUuidColumn ? Guid.NewGuid().ToString("N") : null;

    /// <summary>Whether rows made here are the plugin's: its tags go to the tag table (its default mode).</summary>
    public static bool Supported(JournalConfig config) => config.PluginConfig.TagMode == TagMode.TagTable;

    /// <summary>
    /// Each write's rows, in order, and what the journal answers: null for a write whose rows are
    /// in the list, the exception for one that could not be serialized (rejected: nothing of it written).
    /// </summary>
    public (List<JournalRow> Rows, IImmutableList<Exception?> Rejections) Of(IReadOnlyList<AtomicWrite> writes, long nowTicks)
    {
        var rows = new List<JournalRow>(writes.Count);
        var rejections = new Exception?[writes.Count];
        for (var index = 0; index < writes.Count; index++)
        {
            var start = rows.Count;
            try
            {
                // Indexed: a foreach over the interface allocates an enumerator per write.
                var events = (IImmutableList<IPersistentRepresentation>)writes[index].Payload;
                for (var e = 0; e < events.Count; e++)
                {
                    rows.Add(Row(events[e], nowTicks));
                }
            }
            catch (Exception e)
            {
                // A write is atomic: none of its rows go in.
                rows.RemoveRange(start, rows.Count - start);
                rejections[index] = e;
            }
        }

        return (rows, ImmutableList.Create(rejections));
    }

    private JournalRow Row(IPersistentRepresentation persistent, long nowTicks)
    {
        var (payload, tags) = persistent.Payload is Tagged tagged
            ? (tagged.Payload, tagged.Tags.ToArray())
            : (persistent.Payload, []);
        var serializer = _serialization.FindSerializerForType(payload.GetType(), _defaultSerializer);
        // With the system as transport, as the plugin: an actor ref in an event serializes with its address.
        return Akka.Serialization.Serialization.WithTransport(system, (persistent, payload, tags, serializer, nowTicks, _writerUuid), static state =>
        {
            var (persistent, payload, tags, serializer, nowTicks, writerUuid) = state;
            return new JournalRow
            {
                PersistenceId = persistent.PersistenceId,
                SequenceNumber = persistent.SequenceNr,
                Timestamp = persistent.Timestamp == 0 ? nowTicks : persistent.Timestamp,
                Message = serializer.ToBinary(payload),
                Manifest = serializer switch
                {
                    SerializerWithStringManifest stringManifest => stringManifest.Manifest(payload),
                    { IncludeManifest: true } => payload.GetType().TypeQualifiedName(),
                    _ => string.Empty,
                },
                Identifier = serializer.Identifier,
                EventManifest = persistent.Manifest,
                WriterUuid = writerUuid,
                Tags = string.Empty,
                TagArray = tags,
            };
        });
    }
}
