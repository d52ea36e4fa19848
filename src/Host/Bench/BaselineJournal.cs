using Actors.Hosting;
using Akka.Configuration;

namespace Actors.Host.Bench;

/// <summary>
/// The raw baseline's journal: a stock Akka.Persistence.Sql plugin instance of its own
/// (<c>akka.persistence.journal.baseline</c>), on a SQLite file of its own beside the node's (or
/// tables of its own on the same PostgreSQL server, made by the plugin itself), with only the
/// settings known to be needed (WAL and read-uncommitted on SQLite) and the same durability
/// (SQLite's synchronous = FULL, its build default). Tuning ours never tunes it.
/// On PostgreSQL it has a connection pool of its own, bounded (bench.conf): the stock plugin opens a
/// connection per recovery read, and with Npgsql's default of 100 on a server that takes 97 it was
/// refused connections and its circuit breaker opened (44 req/s, measured); sharing ours, it left
/// dozens of connections that slowed both sides' commits.
/// </summary>
internal static class BaselineJournal
{
    public const string PluginId = "akka.persistence.journal.baseline";

    public static Config For(NodeOptions options, Config settings)
    {
        string own;
        if (options.PostgresConnection is { } postgres)
        {
            var pool = new Npgsql.NpgsqlConnectionStringBuilder(postgres)
            {
                ApplicationName = "actors-bench-baseline",
                MaxPoolSize = settings.GetInt("actors.bench.baseline-postgres-max-pool-size"),
            };
            // Tables of its own, made by the stock plugin's own start: sharing the node's, it was
            // tuned by what the node does to its tables (ids compared by their bytes: PostgresTables).
            own = $"""
                provider-name = "PostgreSQL.15"
                connection-string = {ActorsConfig.Quote(pool.ConnectionString)}
                default.journal.table-name = "baseline_journal"
                default.tag.table-name = "baseline_tags"
                default.metadata.table-name = "baseline_journal_metadata"
                """;
        }
        else
        {
            var journal = Path.GetFullPath(options.SqlitePath ?? NodeConfig.Defaults.GetString("actors.journal.sqlite-path"));
            var file = Path.Combine(Path.GetDirectoryName(journal)!, Path.GetFileNameWithoutExtension(journal) + "-baseline" + Path.GetExtension(journal));
            var connection = SqliteJournal.PrepareFile(file);
            own = $"""
                provider-name = "SQLite.MS"
                connection-string = {ActorsConfig.Quote(connection)}
                read-isolation-level = read-uncommitted
                """;
        }

        // Everything not named here is the plugin's own default (it falls back to its reference config).
        return ConfigurationFactory.ParseString($$"""
            {{PluginId}} {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              plugin-id = "{{PluginId}}"
              plugin-dispatcher = "akka.persistence.dispatchers.default-plugin-dispatcher"
              {{own}}
              auto-initialize = true
            }
            """);
    }
}
