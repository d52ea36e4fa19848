using System.Data;
using Akka.Persistence;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Snapshot;
using Akka.Util;
using LinqToDB;
using LinqToDB.Data;

namespace Actors.Storage;

/// <summary>
/// Akka.Persistence.Sql's snapshot store, with the load every recovery starts with — the latest
/// snapshot of one persistence id — answered for many recovering entities by one query
/// (<see cref="QueryBatcher{TKey,TResult}"/>). Rows are read and turned into snapshots by the
/// plugin's own types, so an unreadable snapshot fails its own load exactly as the plugin's would
/// (and only its own). Saves, and deletes of a key's older snapshots (what an entity sends after
/// each save), are gathered the same way into one transaction: each was a committed transaction
/// of its own, two per 100 events against the journal's one per ~140 writes, and at 250 saves a
/// second their commits halved a node's writes. A round gathers for <c>write-gather</c> first: taken
/// as soon as the last ended, rounds carried one to six writes. Other loads and deletes are the plugin's.
/// </summary>
public sealed class BatchedSqlSnapshotStore : SqlSnapshotStore
{
    private readonly QueryBatcher<string, Try<SelectedSnapshot>?>? _latest;
    private readonly QueryBatcher<SnapshotWrite, Exception?>? _writes;

    public BatchedSqlSnapshotStore(Akka.Configuration.Config snapshotConfig)
        : base(snapshotConfig)
    {
        var config = SqlPlugins.Snapshots(snapshotConfig, Context.System.Settings.Setup);
        // SQL Server's rows carry DateTime (the plugin's other row type) and the compatibility mode other
        // columns: both left to the plugin's own query.
        if (config is { IDaoConfig.SqlCommonCompatibilityMode: false } && !config.ProviderName.Contains("sqlserver", StringComparison.OrdinalIgnoreCase))
        {
            var connections = new AkkaPersistenceDataConnectionFactory(config);
            var snapshots = new ByteArrayLongSnapshotSerializer(Context.System.Serialization, config);
            _latest = new QueryBatcher<string, Try<SelectedSnapshot>?>(ids => LatestAsync(connections, snapshots, ids), _ => null,
                SqlPlugins.RecoveryBatchSize(snapshotConfig));
            RecoveryReads.Get(Context.System).Track(snapshotConfig.GetString("plugin-id"), _latest);
            var isolation = config.WriteIsolationLevel;
            // PostgreSQL: binary COPY. A multi-row INSERT spells each payload out as hex in the
            // statement's text, which the server then lexes and decodes (profiled: 10,000 keys, the
            // server's CPU per durable write 11.3 ms per 1,000 with it, 8.5-9.5 with COPY, 8.5 with
            // no snapshots at all). Elsewhere (SQLite, in process) the multi-row insert.
            var copy = config.ProviderName.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase)
                ? BulkCopyType.ProviderSpecific
                : BulkCopyType.MultipleRows;
            _writes = new QueryBatcher<SnapshotWrite, Exception?>(writes => WriteAsync(connections, snapshots, isolation, copy, writes), _ => null,
                SqlPlugins.RecoveryBatchSize(snapshotConfig), SqlPlugins.WriteGather(snapshotConfig));
            RecoveryReads.Get(Context.System).Track(RecoveryReads.Writes(snapshotConfig.GetString("plugin-id")), _writes);
        }
    }

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        if (_writes is null)
        {
            await base.SaveAsync(metadata, snapshot, cancellationToken);
        }
        else if (await _writes.Get(new SnapshotWrite(metadata.PersistenceId, metadata.SequenceNr, metadata, snapshot))
                     .WaitAsync(cancellationToken) is { } failed)
        {
            throw failed;
        }
    }

    protected override async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        // Only "every snapshot up to this number" is gathered; other criteria are the plugin's query.
        if (_writes is null || criteria.MaxTimeStamp != DateTime.MaxValue || criteria.MinSequenceNr > 0 ||
            criteria.MinTimestamp is { } min && min != DateTime.MinValue)
        {
            await base.DeleteAsync(persistenceId, criteria, cancellationToken);
        }
        else if (await _writes.Get(new SnapshotWrite(persistenceId, criteria.MaxSequenceNr, null, null)).WaitAsync(cancellationToken) is { } failed)
        {
            throw failed;
        }
    }

    /// <summary>
    /// A round's saves as one multi-row insert (binary COPY on PostgreSQL) and its deletes as one
    /// statement, in one transaction (one statement per save was a round trip each: under load a
    /// round of 64 took about a second). If the round fails, each write is tried on its own, so
    /// only a write at fault fails; a snapshot that cannot be serialized fails only itself.
    /// </summary>
    private static async Task<IReadOnlyDictionary<SnapshotWrite, Exception?>> WriteAsync(AkkaPersistenceDataConnectionFactory connections,
        ByteArrayLongSnapshotSerializer snapshots, IsolationLevel isolation, BulkCopyType copy, IReadOnlyList<SnapshotWrite> writes)
    {
        var outcome = new Dictionary<SnapshotWrite, Exception?>();
        var saves = new List<(SnapshotWrite Write, LongSnapshotRow Row)>(writes.Count);
        var deletes = new List<SnapshotWrite>();
        foreach (var write in writes)
        {
            if (write.Metadata is null)
            {
                deletes.Add(write);
                continue;
            }

            var row = snapshots.Serialize(write.Metadata, write.Snapshot!);
            if (row.IsSuccess)
            {
                saves.Add((write, row.Get()));
            }
            else
            {
                outcome[write] = row.Failure.Value;
            }
        }

        try
        {
            await using var connection = connections.GetConnection();
            await using var transaction = await connection.BeginTransactionAsync(isolation);
            var table = connection.GetTable<LongSnapshotRow>();
            if (saves.Count > 0)
            {
                await table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = copy }, saves.Select(s => s.Row));
            }

            if (deletes.Count > 0)
            {
                await DeleteOlderAsync(table, deletes);
            }

            await transaction.CommitAsync();
            return outcome;
        }
        catch (Exception)
        {
            // One at a time, each in a transaction of its own, as the plugin writes them (a save
            // over an existing row replaces it, as the plugin's does).
            foreach (var (write, row) in saves)
            {
                outcome[write] = await OneAsync(connections, isolation, c => c.InsertOrReplaceAsync(row));
            }

            foreach (var delete in deletes)
            {
                outcome[delete] = await OneAsync(connections, isolation, c => DeleteOlderAsync(c.GetTable<LongSnapshotRow>(), [delete]));
            }

            return outcome;
        }
    }

    // Each key's snapshots up to its number, in one statement (SQL, for the reason in SqlPlugins.Names).
    private static Task<int> DeleteOlderAsync(ITable<LongSnapshotRow> table, IReadOnlyList<SnapshotWrite> deletes)
    {
        var (name, column) = SqlPlugins.Names(table);
        var (id, sequence) = (column(nameof(LongSnapshotRow.PersistenceId)), column(nameof(LongSnapshotRow.SequenceNumber)));
        var parameters = new List<DataParameter>(deletes.Count * 2);
        var where = new List<string>(deletes.Count);
        foreach (var (delete, i) in deletes.Select((d, i) => (d, i.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            where.Add($"({id} = @d{i} AND {sequence} <= @s{i})");
            parameters.Add(new DataParameter("d" + i, delete.PersistenceId, DataType.NVarChar));
            parameters.Add(new DataParameter("s" + i, delete.SequenceNr, DataType.Int64));
        }

        return table.DataContext.ExecuteAsync($"DELETE FROM {name} WHERE {string.Join(" OR ", where)}", parameters.ToArray());
    }

    private static async Task<Exception?> OneAsync(AkkaPersistenceDataConnectionFactory connections, IsolationLevel isolation,
        Func<AkkaDataConnection, Task> write)
    {
        try
        {
            await using var connection = connections.GetConnection();
            await using var transaction = await connection.BeginTransactionAsync(isolation);
            await write(connection);
            await transaction.CommitAsync();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>A save (with its snapshot) or a delete of a key's snapshots up to <paramref name="SequenceNr"/>.</summary>
    private sealed record SnapshotWrite(string PersistenceId, long SequenceNr, SnapshotMetadata? Metadata, object? Snapshot);

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken)
    {
        if (_latest is null || criteria.MaxSequenceNr != long.MaxValue || criteria.MaxTimeStamp != DateTime.MaxValue)
        {
            return await base.LoadAsync(persistenceId, criteria, cancellationToken);
        }

        // Throws this id's deserialization failure, as the plugin's own load does.
        return (await _latest.Get(persistenceId).WaitAsync(cancellationToken))?.Get();
    }

    private static async Task<IReadOnlyDictionary<string, Try<SelectedSnapshot>?>> LatestAsync(AkkaPersistenceDataConnectionFactory connections,
        ByteArrayLongSnapshotSerializer snapshots, IReadOnlyList<string> ids)
    {
        // Each id's highest-numbered snapshot: one statement, no transaction (see BatchedSqlJournal).
        await using var connection = connections.GetConnection();
        var table = connection.GetTable<LongSnapshotRow>();
        var (name, column) = SqlPlugins.Names(table);
        var (list, parameters) = SqlPlugins.IdParameters(ids);
        var (id, sequence) = (column(nameof(LongSnapshotRow.PersistenceId)), column(nameof(LongSnapshotRow.SequenceNumber)));
        var rows = await table.DataContext.QueryToListAsync(
            reader => new LongSnapshotRow
            {
                PersistenceId = reader.GetString(0),
                SequenceNumber = reader.GetInt64(1),
                Created = reader.GetInt64(2),
                Payload = (byte[])reader.GetValue(3),
                Manifest = reader.IsDBNull(4) ? string.Empty : reader.GetString(4),
                SerializerId = reader.IsDBNull(5) ? null : reader.GetInt32(5),
            },
            $"SELECT s.{id}, s.{sequence}, s.{column(nameof(LongSnapshotRow.Created))}, s.{column(nameof(LongSnapshotRow.Payload))}, " +
            $"s.{column(nameof(LongSnapshotRow.Manifest))}, s.{column(nameof(LongSnapshotRow.SerializerId))} FROM {name} s " +
            $"WHERE s.{id} IN ({list}) AND s.{sequence} = (SELECT MAX(t.{sequence}) FROM {name} t WHERE t.{id} = s.{id})",
            parameters);
        return rows.ToDictionary(r => r.PersistenceId, r => (Try<SelectedSnapshot>?)snapshots.Deserialize(r));
    }
}
