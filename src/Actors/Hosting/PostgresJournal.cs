using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider.PostgreSQL;
using Npgsql;

namespace Actors.Hosting;

/// <summary>The cluster journal: one PostgreSQL database shared by every member.</summary>
public static class PostgresJournal
{
    /// <summary>
    /// The connection string for the journal and the snapshot store (the rest of the settings
    /// are <c>hocon/postgres.conf</c>). The string is checked here so a typo fails at start with a clear message, not
    /// at the first write; the tables are created by the plugins on first use.
    /// </summary>
    public static Config ConnectionConfig(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"the PostgreSQL connection string is not valid: {e.Message}", e);
        }

        var quoted = ActorsConfig.Quote(connectionString);
        return ConfigurationFactory.ParseString($"""
                akka.persistence.journal.sql.connection-string = {quoted}
                akka.persistence.snapshot-store.sql.connection-string = {quoted}
                """);
    }

    /// <summary>
    /// The plugins' connections, with batches of journal rows written by PostgreSQL's binary COPY
    /// (linq2db's provider-specific bulk copy) instead of one multi-row INSERT with every value
    /// spelled out as SQL text, which both the node and the server must then parse.
    /// </summary>
    public static MultiDataOptionsSetup Connections(string connectionString)
    {
        var options = new DataOptions()
            .UseConnectionString(ProviderName.PostgreSQL15, connectionString)
            .UsePostgreSQL(o => o with { BulkCopyType = BulkCopyType.ProviderSpecific });
        var setup = new MultiDataOptionsSetup();
        setup.AddDataOptions(NodeConfig.JournalPlugin, options);
        setup.AddDataOptions(NodeConfig.SnapshotPlugin, options);
        return setup;
    }

    /// <summary>The connection string with its password removed, for log lines.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
        return $"postgres {builder.Host}:{builder.Port}/{builder.Database}";
    }
}
