using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using Akka.Persistence.Sql.Snapshot;
using LinqToDB;
using LinqToDB.Data;

namespace Actors.Storage;

/// <summary>
/// The plugin's tables on PostgreSQL, created before a journal's or snapshot store's first read or
/// write by one member at a time. The plugin's own auto-initialize runs <c>CREATE TABLE IF NOT
/// EXISTS</c> on start, which PostgreSQL does not make safe against the same statement in another
/// session: of members started together on an empty database, one in a few failed with "relation
/// already exists" or a duplicate <c>pg_type</c> key, logged errors with stack traces and
/// restarted its plugin. Here the same statements (the plugin's mapping and footers) run in one
/// transaction holding an advisory lock, so a member that waited finds the tables made. A failed
/// attempt (server unreachable) fails the operations that waited on it; the next one tries again.
/// </summary>
internal sealed class PostgresTables
{
    // Any fixed number, the same in every member: pg_advisory_xact_lock's key for "creating the journal's tables".
    private const long LockKey = 0x4163746f72735461; // "ActorsTa"

    private readonly Func<AkkaDataConnection, Task> _create;
    private readonly AkkaPersistenceDataConnectionFactory _connections;
    private readonly ILoggingAdapter _log;
    private readonly string _what;
    private readonly object _gate = new();
    private Task? _ready;
    private int _failedAttempts;

    private PostgresTables(AkkaPersistenceDataConnectionFactory connections, Func<AkkaDataConnection, Task> create, ILoggingAdapter log, string what)
    {
        _connections = connections;
        _create = create;
        _log = log;
        _what = what;
    }

    /// <summary>
    /// Whether the tables of a plugin with this block, on this provider (its settings', with the
    /// system's data options applied), are made here: PostgreSQL with <c>auto-initialize</c> on.
    /// </summary>
    public static bool MadeHere(Config block, string? providerName) =>
        block.GetBoolean("auto-initialize") && providerName?.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The block the plugin itself is built from: its own start-up creation off where it is made here.</summary>
    public static Config ForPlugin(Config block, string? providerName) =>
        MadeHere(block, providerName) ? ConfigurationFactory.ParseString("auto-initialize = off").WithFallback(block) : block;

    public static PostgresTables Journal(JournalConfig config, AkkaPersistenceDataConnectionFactory connections, ILoggingAdapter log) =>
        new(connections, async connection =>
        {
            // As the plugin's own start does (ByteArrayJournalDao.InitializeTables).
            await connection.CreateTableAsync<JournalRow>(TableOptions.CreateIfNotExists, config.GenerateJournalFooter());
            if (config.PluginConfig.TagMode is not TagMode.Csv)
            {
                await connection.CreateTableAsync<JournalTagRow>(TableOptions.CreateIfNotExists, config.GenerateTagFooter());
            }

            if (config.DaoConfig.SqlCommonCompatibilityMode)
            {
                await connection.CreateTableAsync<JournalMetaData>(TableOptions.CreateIfNotExists, null);
            }
        }, log, "journal");

    public static PostgresTables Snapshots(SnapshotConfig config, AkkaPersistenceDataConnectionFactory connections, ILoggingAdapter log) =>
        new(connections, async connection =>
        {
            // As ByteArraySnapshotDao.InitializeTables.
            var footer = config.GenerateSnapshotFooter();
            if (connection.UseDateTime)
            {
                await connection.CreateTableAsync<DateTimeSnapshotRow>(TableOptions.CreateIfNotExists, footer);
            }
            else
            {
                await connection.CreateTableAsync<LongSnapshotRow>(TableOptions.CreateIfNotExists, footer);
            }
        }, log, "snapshot store");

    /// <summary>Completes when the tables exist; a new attempt starts when the last one failed.</summary>
    public Task Ready()
    {
        // Every read and write asks: once made, no lock.
        if (Volatile.Read(ref _ready) is { IsCompletedSuccessfully: true } made)
        {
            return made;
        }

        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                // Off the caller's thread (the plugin actor's): the first connection detects the
                // server's version synchronously, up to the connect timeout when it is unreachable.
                _ready = Task.Run(AttemptAsync);
            }

            return _ready;
        }
    }

    private async Task AttemptAsync()
    {
        try
        {
            await using var connection = _connections.GetConnection();
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
            // Held until the transaction ends; PostgreSQL's DDL is transactional, so a member that
            // waited here sees the tables committed whole.
            await transaction.DataConnection.ExecuteAsync($"SELECT pg_advisory_xact_lock({LockKey})");
            await _create(connection);
            await transaction.CommitAsync();
        }
        catch (Exception e)
        {
            // One line per streak of failures, not one per operation that waited on one.
            if (Interlocked.Increment(ref _failedAttempts) == 1)
            {
                _log.Warning("The {0}'s tables could not be created yet (retried with the next operation): {1}", _what, e.Message);
            }

            throw;
        }

        var failed = Interlocked.Exchange(ref _failedAttempts, 0);
        if (failed > 0)
        {
            _log.Info("The {0}'s tables are ready after {1} failed attempts", _what, failed);
        }
    }
}
