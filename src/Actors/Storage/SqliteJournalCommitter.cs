using System.Data.Common;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using LinqToDB.Data;

namespace Actors.Storage;

/// <summary>
/// SQLite: each row inserted with one prepared statement, bound row by row, in one IMMEDIATE
/// transaction. The plugin spelled each batch out as one multi-row INSERT with every value as SQL
/// text (payloads hex-encoded) that SQLite parsed again: ~50 µs a row on its one writer thread
/// (profiled), against ~17 µs prepared. On the plugin's own connection, so
/// <see cref="Hosting.SqliteDurability"/> sets synchronous = FULL and counts the commits; with
/// <c>lose-recent-writes-on-power-loss = on</c> this connection alone is set to NORMAL while the
/// writer keeps it, and back to FULL before it returns to the pool.
/// </summary>
internal sealed class SqliteJournalCommitter : IJournalCommitter
{
    private readonly AkkaDataConnection _owner;
    private readonly DbConnection _connection;
    private readonly DbCommand _row;
    private readonly DbCommand _lastId;
    private readonly DbCommand _tag;
    private readonly LinqToDB.Mapping.ColumnDescriptor[] _rowColumns;
    private readonly LinqToDB.Mapping.ColumnDescriptor[] _tagColumns;
    private readonly bool _relaxed;

    /// <param name="relax">Sets the connection to synchronous = NORMAL; null: it stays FULL.</param>
    public SqliteJournalCommitter(AkkaPersistenceDataConnectionFactory connections, Action<DbConnection>? relax)
    {
        _owner = connections.GetConnection();
        var journal = _owner.GetTable<JournalRow>();
        _connection = ((DataConnection)journal.DataContext).OpenDbConnection();
        relax?.Invoke(_connection);
        _relaxed = relax is not null;
        (_row, _rowColumns) = JournalColumns.Insert(_connection, journal);
        (_tag, _tagColumns) = JournalColumns.Insert(_connection, _owner.GetTable<JournalTagRow>());
        _lastId = _connection.CreateCommand();
        _lastId.CommandText = "SELECT last_insert_rowid()";
    }

    public void Commit(IReadOnlyList<GroupCommitQueue<JournalRow>.PendingWrite> writes)
    {
        // IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock from the start, waiting out a reader's checkpoint.
        using var transaction = _connection.BeginTransaction();
        _row.Transaction = transaction;
        _lastId.Transaction = transaction;
        _tag.Transaction = transaction;
        foreach (var write in writes)
        {
            foreach (var row in write.Rows)
            {
                Insert(row);
            }
        }

        transaction.Commit();
    }

    public void Dispose()
    {
        if (_relaxed)
        {
            try
            {
                Hosting.SqliteDurability.Restore(_connection);
            }
            catch (Exception)
            {
                // Not back to FULL: the pool must not hand this connection to anyone else.
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool((Microsoft.Data.Sqlite.SqliteConnection)_connection);
            }
        }

        _row.Dispose();
        _lastId.Dispose();
        _tag.Dispose();
        _owner.Dispose();
    }

    private void Insert(JournalRow row)
    {
        JournalColumns.Bind(_row, _rowColumns, row);
        _row.ExecuteNonQuery();
        if (row.TagArray.Length == 0)
        {
            return;
        }

        // The tag table points at the row's ordering, which only the insert assigns.
        var ordering = Convert.ToInt64(_lastId.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        JournalColumns.InsertTags(_tag, _tagColumns, row, ordering);
    }
}
