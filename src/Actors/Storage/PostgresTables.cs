using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using Akka.Persistence.Sql.Snapshot;
using LinqToDB;
using LinqToDB.Data;

namespace Actors.Storage;

/// <summary>
/// The journal's and snapshot store's tables on PostgreSQL, created as a node starts, before its
/// plugins do, by one member at a time. The plugins' own auto-initialize runs <c>CREATE TABLE IF
/// NOT EXISTS</c> when they start, which PostgreSQL does not make safe against the same statement
/// in another session: of members started together on an empty database, one in a few failed
/// with "relation already exists" or a duplicate <c>pg_type</c> key, logged errors with stack
/// traces and restarted its plugin. Here the same statements (the plugins' mapping and footers)
/// run in a transaction holding an advisory lock, so a member that waited finds the tables
/// committed whole, and the plugins' own start then finds them made.
/// </summary>
internal static class PostgresTables
{
    // Any fixed number, the same in every member: pg_advisory_xact_lock's key for "creating the tables".
    private const long LockKey = 0x4163746f72735461; // "ActorsTa"

    /// <summary>
    /// Creates the tables of the journal and snapshot store at these plugin ids where they are on
    /// PostgreSQL with <c>auto-initialize</c> on. A database that cannot be reached is logged
    /// (one warning) and left to the plugins, which try again at their own start as before.
    /// </summary>
    public static async Task CreateAsync(ActorSystem system, string journalPlugin, string snapshotPlugin)
    {
        var setup = system.Settings.Setup;
        var journal = SqlPlugins.Journal(Block(system, journalPlugin), setup);
        var snapshots = SqlPlugins.Snapshots(Block(system, snapshotPlugin), setup);
        try
        {
            if (journal is not null && MadeHere(journal.AutoInitialize, journal.ProviderName))
            {
                await InTransactionAsync(new AkkaPersistenceDataConnectionFactory(journal), connection => JournalAsync(journal, connection));
            }

            if (snapshots is not null && MadeHere(snapshots.AutoInitialize, snapshots.ProviderName))
            {
                await InTransactionAsync(new AkkaPersistenceDataConnectionFactory(snapshots), connection => SnapshotsAsync(snapshots, connection));
            }
        }
        catch (Exception e)
        {
            system.Log.Warning("The journal's tables could not be checked at start ({0}); the journal and snapshot store create them " +
                               "when they start", e.Message);
        }
    }

    private static Akka.Configuration.Config Block(ActorSystem system, string pluginId) =>
        system.Settings.Config.GetConfig(pluginId) ?? Akka.Configuration.Config.Empty;

    private static bool MadeHere(bool autoInitialize, string? providerName) =>
        autoInitialize && providerName?.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task InTransactionAsync(AkkaPersistenceDataConnectionFactory connections, Func<AkkaDataConnection, Task> create)
    {
        await using var connection = connections.GetConnection();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
        // Held until the transaction ends; PostgreSQL's DDL is transactional.
        await transaction.DataConnection.ExecuteAsync($"SELECT pg_advisory_xact_lock({LockKey})");
        await create(connection);
        await transaction.CommitAsync();
    }

    // As the plugin's own start does (ByteArrayJournalDao.InitializeTables).
    private static async Task JournalAsync(JournalConfig config, AkkaDataConnection connection)
    {
        await CreateAsync<JournalRow>(connection, config.GenerateJournalFooter(), nameof(JournalRow.PersistenceId));
        if (config.PluginConfig.TagMode is not TagMode.Csv)
        {
            await CreateAsync<JournalTagRow>(connection, config.GenerateTagFooter(), nameof(JournalTagRow.PersistenceId),
                nameof(JournalTagRow.TagValue));
        }

        if (config.DaoConfig.SqlCommonCompatibilityMode)
        {
            await connection.CreateTableAsync<JournalMetaData>(TableOptions.CreateIfNotExists, null);
        }
    }

    // As ByteArraySnapshotDao.InitializeTables.
    private static async Task SnapshotsAsync(SnapshotConfig config, AkkaDataConnection connection)
    {
        var footer = config.GenerateSnapshotFooter();
        if (connection.UseDateTime)
        {
            await CreateAsync<DateTimeSnapshotRow>(connection, footer, nameof(DateTimeSnapshotRow.PersistenceId));
        }
        else
        {
            await CreateAsync<LongSnapshotRow>(connection, footer, nameof(LongSnapshotRow.PersistenceId));
        }
    }

    /// <summary>
    /// Creates the table if it does not exist; one made here compares the key columns named by
    /// their bytes (collation "C"). The plugin's mapping leaves them to the database's collation,
    /// where every comparison in their indexes is a locale-aware strcoll: 20% of the server's
    /// inserting time under COPY (profiled), and the ids are opaque keys that only equality and a
    /// stable order are asked of. A table that existed is left as it is: changing a column's
    /// collation rewrites the table and its indexes.
    /// </summary>
    private static async Task CreateAsync<T>(AkkaDataConnection connection, string? footer, params string[] byteOrdered)
        where T : class
    {
        var table = connection.GetTable<T>();
        var sql = (DataConnection)table.DataContext;
        var (name, column) = SqlPlugins.Names(table);
        var existed = await sql.ExecuteAsync<string?>("SELECT to_regclass(@name)::text", new DataParameter("name", name)) is not null;
        await connection.CreateTableAsync<T>(TableOptions.CreateIfNotExists, footer);
        if (existed)
        {
            return;
        }

        foreach (var member in byteOrdered)
        {
            // The column's own type as created (text, or a varchar the mapping sized), only its collation changed.
            var type = await sql.ExecuteAsync<string>(
                """SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(@name) AND '"' || replace(attname, '"', '""') || '"' = @column""",
                new DataParameter("name", name), new DataParameter("column", column(member)));
            await sql.ExecuteAsync($"ALTER TABLE {name} ALTER COLUMN {column(member)} TYPE {type} COLLATE \"C\"");
        }
    }
}
