using System.Data.Common;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using LinqToDB.Data;
using LinqToDB.Mapping;
using Npgsql;

namespace Actors.Storage;

/// <summary>
/// PostgreSQL: a group's rows sent by one binary COPY in one transaction (their bytes written by
/// <see cref="PostgresCopyRows"/>), on a connection kept open (no pool rent and reset per batch). A group without tags is the COPY alone: one statement is
/// its own transaction, committed (and flushed) before the server answers it, so it takes two
/// round trips instead of three (no BEGIN before it, no COMMIT after). A row with tags is inserted
/// on its own, returning the ordering its tags point at, inside an explicit transaction with the
/// rest. The plugin reached the same COPY through an Akka.Streams queue per write and linq2db's
/// bulk copy, ~30% of the node's CPU per durable write (profiled).
/// </summary>
internal sealed class PostgresJournalCommitter : IJournalCommitter
{
    // About 1,000 rows of a small event; a larger group is sent as before, past the buffer.
    private const int WriteBufferBytes = 256 * 1024;

    private readonly AkkaDataConnection _owner;
    private readonly NpgsqlConnection _connection;
    private readonly string _copy;
    private readonly ColumnDescriptor[] _rowColumns;
    private readonly DbCommand _taggedRow;
    private readonly DbCommand _tag;
    private readonly ColumnDescriptor[] _tagColumns;
    private readonly PostgresCopyRows _rows = new();

    public PostgresJournalCommitter(AkkaPersistenceDataConnectionFactory connections)
    {
        // The plugin's mapping (names, conversions) from its data connection, never opened; the rows
        // go over a connection of the writer's own, outside the pool: kept for the writer's life, it
        // gains nothing from pooling, and after a failure (a server restart ends every session) a
        // fresh one is a new session, where the pool could hand out another dead one (measured:
        // writes retried one by one after a restart each failed on one).
        _owner = connections.GetConnection();
        var journal = _owner.GetTable<JournalRow>();
        var given = ((DataConnection)journal.DataContext).Options.ConnectionOptions.ConnectionString;
        if (string.IsNullOrEmpty(given))
        {
            throw new InvalidOperationException("the PostgreSQL journal's writer needs the plugin's connection string (group-commit-writer = off does without)");
        }

        // A write buffer a group fits in: the rows leave as one CopyData message with the COPY's
        // end after it, three system calls a transaction where the default 8 KB buffer took seven
        // (strace), each of the small ones waking the server's session on its own.
        _connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(given) { Pooling = false, WriteBufferSize = WriteBufferBytes }.ConnectionString);
        _connection.Open();
        var (table, columns, names) = JournalColumns.Of(journal);
        _rowColumns = columns;
        _copy = $"COPY {table} ({string.Join(", ", names)}) FROM STDIN (FORMAT BINARY)";
        var (_, column) = SqlPlugins.Names(journal);
        (_taggedRow, _) = JournalColumns.Insert(_connection, journal, $" RETURNING {column(nameof(JournalRow.Ordering))}");
        (_tag, _tagColumns) = JournalColumns.Insert(_connection, _owner.GetTable<JournalTagRow>());
    }

    public void Commit(IReadOnlyList<GroupCommitQueue<JournalRow>.PendingWrite> writes)
    {
        if (!writes.Any(write => write.Rows.Any(row => row.TagArray.Length > 0)))
        {
            // All or none without BEGIN: a COPY outside a transaction block is one implicit transaction.
            Copy(writes);
            return;
        }

        using var transaction = _connection.BeginTransaction();
        foreach (var row in Copy(writes))
        {
            _taggedRow.Transaction = transaction;
            _tag.Transaction = transaction;
            JournalColumns.Bind(_taggedRow, _rowColumns, row);
            var ordering = Convert.ToInt64(_taggedRow.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            JournalColumns.InsertTags(_tag, _tagColumns, row, ordering);
        }

        transaction.Commit();
    }

    /// <summary>Copies the rows without tags; returns those with tags, in order.</summary>
    private List<JournalRow> Copy(IReadOnlyList<GroupCommitQueue<JournalRow>.PendingWrite> writes)
    {
        var tagged = new List<JournalRow>();
        _rows.Start();
        foreach (var write in writes)
        {
            foreach (var row in write.Rows)
            {
                if (row.TagArray.Length > 0)
                {
                    tagged.Add(row);
                    continue;
                }

                _rows.Row(_rowColumns.Length);
                foreach (var column in _rowColumns)
                {
                    _rows.Field(column.GetProviderValue(row), column.ColumnName);
                }
            }
        }

        // Disposing the stream ends the COPY and waits for its (implicit) commit; an error the
        // server raised (a duplicate sequence number) is thrown there.
        using (var copy = _connection.BeginRawBinaryCopy(_copy))
        {
            copy.Write(_rows.Finish().Span);
        }

        return tagged;
    }

    public void Dispose()
    {
        _taggedRow.Dispose();
        _tag.Dispose();
        _connection.Dispose();
        _owner.Dispose();
    }
}
