using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using Microsoft.Data.Sqlite;

namespace Actors.Hosting;

/// <summary>The embedded default journal: two SQLite files, prepared before the node starts.</summary>
public static class SqliteJournal
{
    /// <summary>
    /// Creates the folder and both files if missing and switches them to WAL, which lets reads
    /// run beside the single writer (a persistent property of the file). Returns the HOCON that
    /// points the journal and snapshot store at them. Tables are created by the plugins.
    /// </summary>
    public static Config Prepare(string journalPath)
    {
        var (journal, snapshots) = Files(journalPath);
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = {ActorsConfig.Quote(PrepareFile(journal))}
            akka.persistence.snapshot-store.sql.connection-string = {ActorsConfig.Quote(PrepareFile(snapshots))}
            """);
    }

    /// <summary>Creates <paramref name="file"/> (and its folder) if missing, in WAL mode; returns its connection string.</summary>
    public static string PrepareFile(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var connectionString = ConnectionString(file);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        wal.ExecuteNonQuery();
        return connectionString;
    }

    /// <summary>The plugins' connections to both files, each opened with synchronous = FULL (<see cref="SqliteDurability"/>).</summary>
    public static MultiDataOptionsSetup Connections(string journalPath, SqliteDurability durability)
    {
        var (journal, snapshots) = Files(journalPath);
        return durability.Setup(ConnectionString(journal), ConnectionString(snapshots));
    }

    private static (string Journal, string Snapshots) Files(string journalPath)
    {
        var journal = Path.GetFullPath(journalPath);
        return (journal, Path.Combine(Path.GetDirectoryName(journal)!,
            Path.GetFileNameWithoutExtension(journal) + "-snapshots" + Path.GetExtension(journal)));
    }

    private static string ConnectionString(string file) => new SqliteConnectionStringBuilder
    {
        DataSource = file,
        Mode = SqliteOpenMode.ReadWriteCreate,
        // Writers queue on SQLite's lock instead of failing at once.
        DefaultTimeout = 30,
    }.ToString();
}
