using System.Data.Common;
using Akka.Persistence.Sql.Config;
using LinqToDB;

namespace Actors.Hosting;

/// <summary>
/// Every connection the SQLite journal and snapshot store open gets <c>PRAGMA synchronous = FULL</c>
/// (each commit fsynced before it returns, so before a write is acknowledged) and reads it back;
/// only the journal writer's own connection may be relaxed to NORMAL, by the user's choice
/// (<c>lose-recent-writes-on-power-loss</c>, node.conf).
/// Microsoft.Data.Sqlite has no connection-string keyword for it; without this it would be
/// whatever the native library was built with. The plugins take these options in place of their
/// HOCON connection strings (Akka.Persistence.Sql's <see cref="MultiDataOptionsSetup"/>). It also
/// counts commits (SQLite's commit hook) and lets writes gather during a commit (see Options).
/// Itself a setup of the node's actor system, so what it counted can be read there.
/// </summary>
public sealed class SqliteDurability : Akka.Actor.Setup.Setup
{
    /// <summary>SQLite's number for FULL.</summary>
    public const long Full = 2;

    /// <summary>SQLite's number for NORMAL: in WAL mode a commit is written, not fsynced, before it returns.</summary>
    public const long Normal = 1;

    public const string JournalPlugin = NodeConfig.JournalPlugin;
    public const string SnapshotPlugin = NodeConfig.SnapshotPlugin;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _checked = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, string> _seen = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counter> _commits = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _relaxed = new();

    /// <summary>Native connections the plugin opened through these options so far, each checked FULL.</summary>
    public long ConnectionsChecked(string pluginId) => _checked.GetValueOrDefault(pluginId);

    /// <summary>
    /// Write transactions the plugin committed so far (SQLite's commit hook), each one fsync:
    /// acknowledged writes per commit is what group commit achieves.
    /// </summary>
    public long Commits(string pluginId) => _commits.TryGetValue(pluginId, out var count) ? Interlocked.Read(ref count.Value) : 0;

    /// <summary>
    /// Connections the journal's writer set to synchronous = NORMAL so far, each read back
    /// (<c>lose-recent-writes-on-power-loss = on</c>); 0 while every write is fsynced.
    /// </summary>
    public long ConnectionsRelaxed(string pluginId) => _relaxed.GetValueOrDefault(pluginId);

    /// <summary>
    /// The journal writer's own connection, kept open, to synchronous = NORMAL (read back), by the
    /// plugin's choice; <see cref="Restore"/> sets FULL again before it goes back to the pool.
    /// </summary>
    internal void Relax(string pluginId, DbConnection connection)
    {
        Relax(connection);
        _relaxed.AddOrUpdate(pluginId, 1, (_, n) => n + 1);
    }

    /// <summary>synchronous = NORMAL on this connection, read back.</summary>
    internal static void Relax(DbConnection connection) => SetSynchronous(connection, "NORMAL", Normal);

    /// <summary>Back to FULL, so every other use of a pooled connection fsyncs again.</summary>
    internal static void Restore(DbConnection connection) => SetSynchronous(connection, "FULL", Full);

    /// <summary>Options for the journal and the snapshot store on their files, for the plugins' ids.</summary>
    public MultiDataOptionsSetup Setup(string journalConnectionString, string snapshotsConnectionString)
    {
        var setup = new MultiDataOptionsSetup();
        setup.AddDataOptions(JournalPlugin, Options(JournalPlugin, journalConnectionString));
        setup.AddDataOptions(SnapshotPlugin, Options(SnapshotPlugin, snapshotsConnectionString));
        return setup;
    }

    private DataOptions Options(string pluginId, string connectionString) => new DataOptions()
        .UseConnectionString(ProviderName.SQLiteMS, connectionString)
        .UseAfterConnectionOpened(connection => Apply(pluginId, connection), async (connection, _) =>
        {
            Apply(pluginId, connection);
            // Microsoft.Data.Sqlite's async calls run synchronously: without this the journal's
            // write stream would run each transaction on its own thread, gather nothing while it
            // commits, and write one row per commit (measured). Yielding here moves the commit to
            // the pool, so writes that arrive meanwhile join the next transaction (group commit).
            await Task.Yield();
        });

    private void Apply(string pluginId, DbConnection connection)
    {
        // Pooled connections keep their settings: check each native connection once, not every open.
        var native = (connection as Microsoft.Data.Sqlite.SqliteConnection)?.Handle;
        if (native is not null && _seen.TryGetValue(native, out _))
        {
            return;
        }

        // Never acknowledge a write on a connection that would not fsync it.
        SetSynchronous(connection, "FULL", Full);

        if (native is not null)
        {
            _seen.AddOrUpdate(native, pluginId);
            var commits = _commits.GetOrAdd(pluginId, id => new Counter(new KeyValuePair<string, object?>("plugin", id)));
            SQLitePCL.raw.sqlite3_commit_hook(native, static state =>
            {
                var counter = (Counter)state;
                Interlocked.Increment(ref counter.Value);
                Telemetry.ActorsMetrics.JournalCommits.Add(1, counter.Plugin);
                return 0; // 0: let the commit proceed.
            }, commits);
        }

        _checked.AddOrUpdate(pluginId, 1, (_, n) => n + 1);
    }

    private static void SetSynchronous(DbConnection connection, string level, long expected)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous = {level}; PRAGMA synchronous;";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != expected)
        {
            throw new InvalidOperationException($"SQLite refused PRAGMA synchronous = {level} on a journal connection");
        }
    }

    private sealed class Counter(KeyValuePair<string, object?> plugin)
    {
        public readonly KeyValuePair<string, object?> Plugin = plugin;
        public long Value;
    }
}
