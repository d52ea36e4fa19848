using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using LinqToDB.Data;

namespace Actors.Storage;

/// <summary>
/// The events of many recovering entities read by one query (<see cref="QueryBatcher{TKey,TResult}"/>),
/// each id's range as the plugin's own replay reads it (not deleted, in sequence order). Only short
/// ranges are gathered (at most <c>recovery-batch-events-per-id</c> events each), so one query
/// returns a bounded number of rows; a longer range is the plugin's own paged replay.
/// </summary>
internal sealed class BatchedReplay
{
    private readonly AkkaPersistenceDataConnectionFactory _connections;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly long _maxEventsPerId;

    public BatchedReplay(AkkaPersistenceDataConnectionFactory connections, Akka.Serialization.Serialization serialization, int maxIds,
        long maxEventsPerId)
    {
        _connections = connections;
        _serialization = serialization;
        _maxEventsPerId = maxEventsPerId;
        Reads = new QueryBatcher<Range, Replayed>(ReadAsync, _ => Replayed.None, maxIds);
    }

    /// <summary>One id's events from <paramref name="From"/> to <paramref name="To"/>, both included.</summary>
    public sealed record Range(string PersistenceId, long From, long To);

    /// <summary>
    /// An id's events in order; or the reason they cannot be read (that id's replay fails, as the
    /// plugin's would); or neither: a row this reader does not decode (written without a serializer
    /// id, by an old version), left to the plugin's own replay.
    /// </summary>
    public sealed record Replayed(IReadOnlyList<IPersistentRepresentation>? Events, Exception? Failure)
    {
        public static readonly Replayed None = new([], null);
    }

    public QueryBatcher<Range, Replayed> Reads { get; }

    /// <summary>Whether this range is short enough to be gathered with others.</summary>
    public bool Covers(long from, long to) => to >= from && to - from < _maxEventsPerId;

    private async Task<IReadOnlyDictionary<Range, Replayed>> ReadAsync(IReadOnlyList<Range> ranges)
    {
        await using var connection = _connections.GetConnection();
        var table = connection.GetTable<JournalRow>();
        var (name, column) = SqlPlugins.Names(table);
        var mapped = SqlPlugins.Mapped(table);
        var (id, sequence) = (column(nameof(JournalRow.PersistenceId)), column(nameof(JournalRow.SequenceNumber)));
        var parameters = new List<DataParameter> { new("deleted", false, LinqToDB.DataType.Boolean) };
        var terms = ranges.Select((range, i) =>
        {
            parameters.Add(new DataParameter($"i{i}", range.PersistenceId, LinqToDB.DataType.NVarChar));
            parameters.Add(new DataParameter($"f{i}", range.From, LinqToDB.DataType.Int64));
            parameters.Add(new DataParameter($"t{i}", range.To, LinqToDB.DataType.Int64));
            return $"({id} = @i{i} AND {sequence} BETWEEN @f{i} AND @t{i})";
        });
        string Optional(string member) => mapped(member) ? column(member) : "NULL";
        var sql = $"SELECT {id}, {sequence}, {column(nameof(JournalRow.Message))}, {column(nameof(JournalRow.Identifier))}, " +
                  $"{column(nameof(JournalRow.Manifest))}, {Optional(nameof(JournalRow.EventManifest))}, {Optional(nameof(JournalRow.WriterUuid))}, " +
                  $"{column(nameof(JournalRow.Timestamp))} FROM {name} WHERE {column(nameof(JournalRow.Deleted))} = @deleted AND " +
                  $"({string.Join(" OR ", terms)}) ORDER BY {id}, {sequence}";
        var rows = await table.DataContext.QueryToListAsync(reader => new JournalRow
        {
            PersistenceId = reader.GetString(0),
            SequenceNumber = reader.GetInt64(1),
            Message = (byte[])reader.GetValue(2),
            Identifier = reader.IsDBNull(3) ? null : reader.GetInt32(3),
            Manifest = reader.IsDBNull(4) ? string.Empty : reader.GetString(4),
            EventManifest = reader.IsDBNull(5) ? null : reader.GetString(5),
            WriterUuid = reader.IsDBNull(6) ? null : reader.GetString(6),
            Timestamp = reader.GetInt64(7),
        }, sql, parameters.ToArray());

        var byId = rows.ToLookup(r => r.PersistenceId);
        return ranges.Distinct().ToDictionary(range => range, range =>
            Decode(byId[range.PersistenceId].Where(r => r.SequenceNumber >= range.From && r.SequenceNumber <= range.To)));
    }

    private Replayed Decode(IEnumerable<JournalRow> rows)
    {
        var events = new List<IPersistentRepresentation>();
        foreach (var row in rows)
        {
            if (row.Identifier is not { } serializer)
            {
                return new Replayed(null, null);
            }

            try
            {
                // As the plugin's serializer reads a row with a serializer id.
                events.Add(new Persistent(_serialization.Deserialize(row.Message, serializer, row.Manifest), row.SequenceNumber,
                    row.PersistenceId, row.EventManifest ?? row.Manifest, isDeleted: false, ActorRefs.NoSender, row.WriterUuid,
                    row.Timestamp));
            }
            catch (Exception e)
            {
                return new Replayed(null, e);
            }
        }

        return new Replayed(events, null);
    }
}
