using System.Data.Common;
using Akka.Event;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using LinqToDB.Data;
using LinqToDB.Mapping;

namespace Actors.Storage;

/// <summary>
/// Group commit on SQLite, on a thread of its own: each transaction takes every write queued
/// while the previous one committed (<see cref="GroupCommitQueue{TRow}"/>) and inserts its rows
/// with one prepared statement, bound row by row. The plugin's writer built each batch as one
/// multi-row INSERT with every value spelled out as SQL text, which SQLite then parsed; its single
/// writer thread spent ~50 µs a row and was what limited durable writes (profiled). Rows, tables
/// and columns are the plugin's own (its mapping, its tag table), on its connections (so
/// <see cref="Hosting.SqliteDurability"/> sets synchronous = FULL and counts the commits).
/// </summary>
internal sealed class SqliteJournalWriter : IDisposable
{
    private readonly AkkaPersistenceDataConnectionFactory _connections;
    private readonly GroupCommitQueue<JournalRow> _queue = new();
    private readonly int _maxRows;
    private readonly ILoggingAdapter _log;
    private readonly Thread _thread;

    private AkkaDataConnection? _connection;
    private Statements? _statements;

    public SqliteJournalWriter(AkkaPersistenceDataConnectionFactory connections, int maxRows, ILoggingAdapter log, string name)
    {
        _connections = connections;
        _maxRows = maxRows;
        _log = log;
        // A thread, not the pool: Microsoft.Data.Sqlite's calls block (its async ones too), and a
        // commit waits for fsync.
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>One persistent actor's rows, committed together (all or none) with whatever else is queued.</summary>
    public Task Write(IReadOnlyList<JournalRow> rows) => _queue.Enqueue(rows);

    /// <summary>Writes what is queued, then stops.</summary>
    public void Dispose()
    {
        _queue.Close();
        _thread.Join(TimeSpan.FromSeconds(30));
    }

    private void Run()
    {
        while (_queue.Take(_maxRows) is { } batch)
        {
            try
            {
                Commit(batch);
                batch.ForEach(write => write.Done.TrySetResult());
            }
            catch (Exception failed) when (batch.Count > 1)
            {
                // One write may be at fault (a second writer's sequence number, a row the database
                // refuses): each alone, so only its own caller hears of it.
                _log.Warning("A journal transaction of {0} writes failed ({1}); writing each alone", batch.Count, failed.Message);
                foreach (var write in batch)
                {
                    try
                    {
                        Commit([write]);
                        write.Done.TrySetResult();
                    }
                    catch (Exception alone)
                    {
                        write.Done.TrySetException(alone);
                    }
                }
            }
            catch (Exception failed)
            {
                batch[0].Done.TrySetException(failed);
            }
        }

        Disconnect();
    }

    private void Commit(List<GroupCommitQueue<JournalRow>.PendingWrite> writes)
    {
        var statements = _statements ??= Connect();
        try
        {
            // IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock from the start, waiting out a reader's checkpoint.
            using var transaction = statements.Connection.BeginTransaction();
            statements.Enlist(transaction);
            foreach (var write in writes)
            {
                foreach (var row in write.Rows)
                {
                    statements.Insert(row);
                }
            }

            transaction.Commit();
        }
        catch
        {
            // Whatever state the connection is in, the next transaction starts on a fresh one.
            Disconnect();
            throw;
        }
    }

    private Statements Connect()
    {
        _connection = _connections.GetConnection();
        var journal = _connection.GetTable<JournalRow>();
        var connection = ((DataConnection)journal.DataContext).OpenDbConnection();
        return new Statements(connection, journal, _connection.GetTable<JournalTagRow>());
    }

    private void Disconnect()
    {
        _statements?.Dispose();
        _statements = null;
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>The prepared inserts (rows, then their tags), named and converted as the plugin's mapping says.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly DbCommand _row;
        private readonly DbCommand _lastId;
        private readonly DbCommand _tag;
        private readonly ColumnDescriptor[] _rowColumns;
        private readonly ColumnDescriptor[] _tagColumns;

        public Statements(DbConnection connection, LinqToDB.ITable<JournalRow> journal, LinqToDB.ITable<JournalTagRow> tags)
        {
            Connection = connection;
            (_row, _rowColumns) = Insert(connection, journal);
            (_tag, _tagColumns) = Insert(connection, tags);
            _lastId = connection.CreateCommand();
            _lastId.CommandText = "SELECT last_insert_rowid()";
        }

        public DbConnection Connection { get; }

        public void Enlist(DbTransaction transaction)
        {
            _row.Transaction = transaction;
            _lastId.Transaction = transaction;
            _tag.Transaction = transaction;
        }

        public void Insert(JournalRow row)
        {
            Bind(_row, _rowColumns, row);
            _row.ExecuteNonQuery();
            if (row.TagArray.Length == 0)
            {
                return;
            }

            // The tag table points at the row's ordering, which only the insert assigns.
            var ordering = Convert.ToInt64(_lastId.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var tag in row.TagArray)
            {
                Bind(_tag, _tagColumns, new JournalTagRow
                {
                    OrderingId = ordering,
                    TagValue = tag,
                    PersistenceId = row.PersistenceId,
                    SequenceNumber = row.SequenceNumber,
                });
                _tag.ExecuteNonQuery();
            }
        }

        public void Dispose()
        {
            _row.Dispose();
            _lastId.Dispose();
            _tag.Dispose();
        }

        private static void Bind(DbCommand command, ColumnDescriptor[] columns, object row)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                command.Parameters[i].Value = columns[i].GetProviderValue(row) ?? DBNull.Value;
            }
        }

        private static (DbCommand Command, ColumnDescriptor[] Columns) Insert<T>(DbConnection connection, LinqToDB.ITable<T> table)
            where T : class
        {
            var (name, column) = SqlPlugins.Names(table);
            var columns = table.DataContext.MappingSchema.GetEntityDescriptor(typeof(T)).Columns
                .Where(c => !c.IsIdentity && !c.SkipOnInsert).ToArray();
            var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO {name} ({string.Join(", ", columns.Select(c => column(c.MemberName)))}) " +
                                  $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
            for (var i = 0; i < columns.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i;
                command.Parameters.Add(parameter);
            }

            return (command, columns);
        }
    }
}
